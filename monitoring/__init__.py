"""The monitoring cycle of step 4: plans per contract, period-end prompts, results as jobs, evaluation."""

from pathlib import Path

from bot.i18n import register_texts

register_texts(Path(__file__).with_name("texts.yaml"))
