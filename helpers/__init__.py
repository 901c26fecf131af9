"""lm-families helpers: the plumbing the notebooks share (runtime, TinyWorld, the zoo, training, plots).

Each module holds one idea; none hides the concept a notebook teaches.
"""

__version__ = "0.1.0"
