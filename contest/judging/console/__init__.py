"""The judging console: rubrics, judging rounds, judges, assignment, results and prizes,
under /organizer/."""
