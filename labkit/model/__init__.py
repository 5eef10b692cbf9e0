"""Stage « training and evaluating » (module 05), over tables and plain values, no workspace.

- :mod:`labkit.model.problem` — the task, the columns, the checks of a choice, rare classes, the
  evaluation plan and the split;
- :mod:`labkit.model.catalogue` — the preprocessing, the models compared and their score;
- :mod:`labkit.model.formula` — the formula models, short enough to read;
- :mod:`labkit.model.learning` — comparison, training and the metrics on the held-out rows;
- :mod:`labkit.model.curves` — complexity and learning curves;
- :mod:`labkit.model.explain`, :mod:`labkit.model.fairness` — explanations and the bias audit;
- :mod:`labkit.model.display` — figures and values written the French way;
- :mod:`labkit.model.model_store` — the model file's bytes and metadata (the learner's copy is
  kept by :mod:`labkit.learner.model`).
"""
