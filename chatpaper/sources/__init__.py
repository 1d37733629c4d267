"""Where papers come from: local files, arXiv's search API, its announcement feed, and PDF downloads."""
