"""What the matrix tells other features, without knowing them."""

from blinker import Namespace

_signals = Namespace()

# Sent after the grid's levels changed and were flushed; features that store levels re-derive them.
grid_changed = _signals.signal("grid-changed")
