"""Qt-free core of the social-insurance self-service kiosk."""

__version__ = "0.1.0"
