"""The course around the stages: module registry, quizzes, content files, toys, project canvas, risks, guide, content checks."""
