"""canhbao: watch public social media for leaked internal documents, exposed patient data and fake news."""

import os

__version__ = "0.1.0"

# onnxruntime's Linux build carries a 1DS telemetry uploader (mobile.events.data.microsoft.com) that reads the
# environment's proxy; a tool that must send nothing but its own collection turns it off before any import of
# onnxruntime can start it (its library reads ORT_DISABLE_TELEMETRY; e5_onnx also calls the API switch).
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
