from chatpaper.cli import main

main()
