"""The language of a paper from its text (chatpaper/pdf/language.py)."""

from __future__ import annotations

import pytest

from chatpaper.pdf.language import detect_language
from tests.fakes.lines import line

# One paragraph per language, about a made-up study, repeated to the length of a short paper section.
SAMPLES = {
    "en": "The sensors in the valley were read every hour, and the model that we fit to them is simple.",
    "de": "Die Sensoren im Tal wurden jede Stunde gelesen, und das Modell, das wir an sie anpassen, ist nicht groß.",
    "fr": "Les capteurs de la vallée sont lus chaque heure, et le modèle qui est ajusté sur cette série est simple.",
    "es": "Los sensores del valle se leen cada hora, y el modelo que ajustamos con ellos es una curva para todos.",
    "pt": "Os sensores do vale são lidos a cada hora, e o modelo que ajustamos com eles é uma curva para os dados.",
    "it": "Il modello che usiamo per i sensori della valle è semplice, e questo dato è letto ogni ora nel campo.",
    "ru": "Датчики в долине считывались каждый час, и модель, которую мы к ним подбираем (GP, RBF), проста.",
    "zh": "山谷中的传感器每小时读取一次，我们为其拟合的模型（GP）很简单。",
    "ja": "谷のセンサーは一時間ごとに読み取られ、それに当てはめるモデル（GP）は単純である。",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_language_of_the_text(language: str) -> None:
    lines = [line(SAMPLES[language], 60, 100 + 12 * i, 500, page=1 + i // 40) for i in range(30)]
    assert detect_language(lines) == language


def test_an_english_abstract_does_not_make_a_german_paper_english() -> None:
    english = [line(SAMPLES["en"], 60, 100 + 12 * i, 500) for i in range(5)]
    german = [line(SAMPLES["de"], 60, 100 + 12 * i, 500, page=2 + i // 40) for i in range(60)]
    assert detect_language(english + german) == "de"


def test_a_chinese_paper_with_english_terms_is_chinese() -> None:
    mixed = "大语言模型（Large Language Models, LLMs）在提示工程（prompt engineering）中表现优异。"
    assert detect_language([line(mixed, 60, 100 + 12 * i, 500) for i in range(20)]) == "zh"


def test_too_little_text_is_english() -> None:
    assert detect_language([line("Table 3", 60, 100, 200)]) == "en"
