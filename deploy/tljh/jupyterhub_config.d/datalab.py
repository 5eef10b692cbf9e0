"""Datalab on JupyterHub: each user opens on the workbook app (Voilà), JupyterLab one click away.

The Littlest JupyterHub reads this file from ``/opt/tljh/config/jupyterhub_config.d/`` after its own
settings (memory limit and idle culling are set with ``tljh-config``: see README.md). The test
``tests/test_jupyterhub.py`` loads it too, then swaps in a local spawner and a test login.

Datalab's repository is installed once for every user (``DATALAB_DIR``, by default /opt/datalab):
the users' Jupyter servers start there, read-only; each user's work goes to their own home folder
(``~/datalab-travail``), so one user never sees another's.

The workbook app (``notebooks/datalab.ipynb``: every module in one page and one kernel, modules
opened in place with ``#NN``) is at ``/voila/render/notebooks/datalab.ipynb`` inside a user's
Jupyter server, with one kernel kept ahead (``labkit.serve.jupyter.WarmKernelManager``); each module
notebook still opens alone (``/voila/render/notebooks/03_donnees.ipynb``).

The facilitator's room view is the hub service ``datalab-salle`` (``labkit.serve.hubroom``), for the
« formateurs » group; the learners' kernels send it their rows (``labkit.learner.roomlink``).
"""

import os
import sys

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

DATALAB_DIR = os.environ.get("DATALAB_DIR", "/opt/datalab")
APP_PAGE = "/voila/render/notebooks/datalab.ipynb"

# Every user lands on the workbook app (Voilà, on its home page); JupyterLab stays at
# /user/<name>/lab.
c.Spawner.default_url = APP_PAGE
# A link to a page (/hub/user-redirect/voila/render/notebooks/datalab.ipynb, or a module alone such
# as .../notebooks/03_donnees.ipynb; the same for everyone) starts the user's server by itself
# instead of showing a "Launch" button.
c.JupyterHub.implicit_spawn_seconds = 1
c.Spawner.notebook_dir = DATALAB_DIR
# Datalab's own environment when the hub's user environment has too old a Python (README step 3).
VENV_SINGLEUSER = os.path.join(DATALAB_DIR, ".venv", "bin", "jupyterhub-singleuser")
if os.path.exists(VENV_SINGLEUSER):
    c.Spawner.cmd = [VENV_SINGLEUSER]
# The first start imports pandas, scikit-learn and plotly: give it time on a busy machine.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120

c.Spawner.environment.update(
    {
        # The project (notebooks, datasets, content) and its Voilà template "datalab".
        "DATALAB_ROOT": DATALAB_DIR,
        "JUPYTER_PATH": os.path.join(DATALAB_DIR, "labkit", "share", "jupyter"),
        # Voilà's settings inside a Jupyter server (French, no sources, theme), shared with Binder.
        "JUPYTER_CONFIG_PATH": os.path.join(DATALAB_DIR, "binder"),
        # Each user's work, in their own home folder ("~" is the user's home).
        "DATALAB_WORKSPACE": "~/datalab-travail",
        # The hub knows who the user is: the pages open on their work, no pseudonym to type.
        "DATALAB_PSEUDONYM": lambda spawner: spawner.user.name,
        # One thread per kernel: many users share the machine's cores.
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
)

# The facilitator's room view across the hub (labkit/serve/hubroom.py): a service the hub starts,
# at /services/datalab-salle/. It never reads anyone's work: each learner's kernel sends it the
# room view's row (module shown, statuses, quiz scores, last error), with its server's own token.
# Only the « formateurs » group may open it: add facilitators to that group in the hub's admin
# page (Admin → Groups), or with c.JupyterHub.load_groups. Learners get a 403 there.
SALLE_PORT = int(os.environ.get("DATALAB_SALLE_PORT", "10101"))
SALLE_URL = f"http://127.0.0.1:{SALLE_PORT}"
SALLE_PREFIX = "/services/datalab-salle/"
# The service runs in Datalab's Python (with labkit), not in the hub's own environment.
SERVICE_PYTHON = next(
    (
        path
        for path in (
            os.path.join(DATALAB_DIR, ".venv", "bin", "python"),
            "/opt/tljh/user/bin/python",
        )
        if os.path.exists(path)
    ),
    sys.executable,
)
c.JupyterHub.services.append(
    {
        "name": "datalab-salle",
        "display": False,  # not in every learner's « Services » menu: facilitators get the address
        "url": SALLE_URL,
        "command": [SERVICE_PYTHON, "-m", "labkit.serve.hubroom"],
        "environment": {"DATALAB_ROOT": DATALAB_DIR},
        "oauth_no_confirm": True,
    }
)
c.JupyterHub.load_groups.update({"formateurs": {"users": []}})
c.JupyterHub.load_roles.append(
    {
        "name": "formateurs-salle",
        "description": "Voir la salle de formation Datalab",
        "scopes": ["access:services!service=datalab-salle"],
        "groups": ["formateurs"],
    }
)
# Where the learners' kernels send their row: the service, reached on this machine.
c.Spawner.environment.update({"DATALAB_SALLE_URL": SALLE_URL + SALLE_PREFIX})
