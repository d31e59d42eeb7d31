"""CLI sub-commands, one module each, discovered by `canhbao.cli`. Command bodies are thin:
they parse arguments, resolve the data home, call the stage functions and print."""
