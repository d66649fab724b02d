"""The quiz console: the question bank, rounds and results, under /organizer/."""
