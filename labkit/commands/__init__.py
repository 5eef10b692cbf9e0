"""Sub-commands of ``datalab``: one module each, with ``register(subparsers)``."""
