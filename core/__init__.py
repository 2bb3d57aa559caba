"""What every app of coopsite shares, and nothing else: the few helpers and
signals that ``partnerships``, ``articles`` and the apps above them all
import. It imports none of them."""
