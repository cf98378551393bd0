"""Partnerbot's conversation core: message model, router, state, i18n, records and storage."""

__version__ = "0.1.0"
