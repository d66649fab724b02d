"""The test suite. Every folder is a package: import kits as ``tests.<folder>.<kit>``."""
