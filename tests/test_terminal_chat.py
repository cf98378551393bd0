"""`python app.py chat` in a subprocess, driven through stdin."""

from __future__ import annotations

from tests.conftest import run_app


def test_chat_shows_help_picks_a_numbered_choice_fills_a_form_and_quits(tmp_path):
    # help lists numbered choices; "1" … picks by number; the settings form is asked field by field
    result = run_app("chat", "--org", "demo", "--user", "t1", "--name", "Tess", data_dir=tmp_path / "d",
                     input="help\ninstellingen\nGemeente Terminal\n2\n1\nquit\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Hoi Tess" in out
    assert "] Instellingen" in out
    assert "Naam van de organisatie *" in out
    assert "1. Nederlands" in out and "2. Engels" in out
    # option 2 = English as the organisation's language; Markdown is shown as plain text
    assert "Opgeslagen. Gemeente Terminal gebruikt nu taal Engels" in out
    assert out.rstrip().endswith("Tot ziens!")


def test_chat_picks_a_choice_by_number(tmp_path):
    # the help menu ends with the language switch: pick it by its number
    first = run_app("chat", "--user", "t2", data_dir=tmp_path / "d", input="hoi\n")
    number = next(line.split("]")[0].strip(" [") for line in first.stdout.splitlines() if "] English" in line)
    result = run_app("chat", "--user", "t2", data_dir=tmp_path / "d", input=f"hoi\n{number}\n\n")
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "I'll speak English with you" in out


def test_chat_in_english_and_end_of_input(tmp_path):
    result = run_app("chat", "--lang", "en", data_dir=tmp_path / "d", input="")
    assert result.returncode == 0, result.stderr
    assert "What would you like to do?" in result.stdout
    assert "Goodbye!" in result.stdout


def test_chat_cancelling_a_form_stores_nothing(tmp_path):
    result = run_app("chat", data_dir=tmp_path / "d", input="instellingen\nannuleer\nquit\n")
    assert "Formulier geannuleerd" in result.stdout
    assert not list((tmp_path / "d" / "data" / "orgs").glob("*.json")) or \
        "Gemeente" not in "".join(p.read_text() for p in (tmp_path / "d" / "data" / "orgs").glob("*.json"))
