import pytest

from kernel.text import ReorderingCharacters, refuse_reordering


@pytest.mark.parametrize(
    "control",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"],
)
def test_every_reordering_control_is_refused(control):
    with pytest.raises(ReorderingCharacters):
        refuse_reordering(f"Budget{control} 2027", what="The title")


def test_ordinary_text_in_any_script_passes():
    for text in ("Jardin partagé", "حديقة مشتركة", "共同花园", "Rénovation — phase 2"):
        assert refuse_reordering(text, what="The title") == text
