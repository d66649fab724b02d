"""Pure quiz logic: question drawing, scoring, ranking and item statistics."""
