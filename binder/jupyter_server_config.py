"""Jupyter server settings that need code (the rest is in jupyter_server_config.json).

Read on Binder, on JupyterHub and by ``datalab lab`` (JUPYTER_CONFIG_PATH points to this folder), so
that the workbook app is the one ``datalab start`` serves (see ``labkit.serve.jupyter.configure``):
- Voilà's pages take MathJax from Voilà's own JavaScript, not from cdnjs.cloudflare.com: nothing
  is loaded from outside the machine;
- the one DeprecationWarning every Jupyter server prints at start (« ServerApp.token config is
  deprecated », read by notebook_shim) is not shown;
- the server polls its kernels' sockets in slices of a second, so that a lost ZeroMQ wake-up cannot
  leave a Voilà page loading forever (see ``labkit.serve.server.never_miss_kernel_replies``).
"""

from labkit.serve.jupyter import configure

configure(get_config())  # noqa: F821 - provided by Jupyter when it loads this file
