"""Stage « training and evaluating »: tasks, evaluation, the model catalogue, explanations, fairness, model files."""
