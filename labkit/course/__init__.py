"""The course around the stages: module registry, quizzes, toys, project canvas, risks, facilitator
guide and content checks (pure: a learner's records are kept by :mod:`labkit.learner.course`)."""
