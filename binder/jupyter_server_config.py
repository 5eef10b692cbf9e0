"""Jupyter server settings that need code (the rest is in jupyter_server_config.json).

Read on Binder and on JupyterHub (JUPYTER_CONFIG_PATH points to this folder): the server polls its
kernels' sockets in slices of a second, so that a lost ZeroMQ wake-up cannot leave a Voilà page
loading forever (see ``labkit.serve.server.never_miss_kernel_replies``).
"""

from labkit.serve.server import never_miss_kernel_replies

never_miss_kernel_replies()
