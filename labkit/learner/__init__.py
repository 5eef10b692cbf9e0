"""The learner's project: the only code that reads and writes a learner's workspace.

- :mod:`labkit.learner.project` — :class:`LearnerProject`, the chain held for a session (revisions
  per link, the hand-off when the dataset changes);
- :mod:`labkit.learner.chain` — the one place where raw table → recipe → clean table is computed;
- one module per link for what is saved: the dataset choice, the recipe and cleaned table, the
  model file, the use case and transparency sheet, the course's own records (progress, quizzes,
  canvas, risks) and the bundle that carries a whole project from one machine to another.

The stage packages (:mod:`labkit.data`, :mod:`labkit.prepare`, :mod:`labkit.model`,
:mod:`labkit.use`, :mod:`labkit.course`) know nothing of the workspace: they take tables and
plain values.
"""

from labkit.learner.project import CHAIN, LINKS, LearnerProject, dataset_identity, link_of

__all__ = ["CHAIN", "LINKS", "LearnerProject", "dataset_identity", "link_of"]
