"""canhbao: watch public social media for leaked internal documents, exposed patient data and fake news."""

__version__ = "0.1.0"
