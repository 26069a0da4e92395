import pytest

from rnnlib.progress import ENV_VAR, show_bar


@pytest.mark.parametrize("value,expected", [("bar", True), ("1", True), ("summary", False),
                                            ("0", False), ("OFF", False)])
def test_explicit_setting_wins(monkeypatch, value, expected):
    monkeypatch.setenv(ENV_VAR, value)
    monkeypatch.setenv("JPY_SESSION_NAME", "x.ipynb")
    assert show_bar() is expected


def test_ci_gets_summaries(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("CI", "true")
    assert show_bar() is False


def test_live_jupyter_gets_a_bar(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "chapter.ipynb")
    assert show_bar() is True


def test_bad_setting(monkeypatch):
    monkeypatch.setenv(ENV_VAR, "sometimes")
    with pytest.raises(ValueError, match=f"{ENV_VAR} must be 'bar' or 'summary'"):
        show_bar()
