"""The fault suite: `make soak` (``python -m bench.soak``) pushes 10,000 stories through the
real stack (embedded Valkey, the single-story and bulk workers, the API) while it injects 20
faults, then counts what became of every story the API accepted.

What is pushed (``items``): unique synthetic stories (``workers.synthetic``), an agency's
resends of some (same story, other bytes: a new receipt that ends ``duplicate``), a feed's
repeats of some (the same bytes again: the same receipt) and a few bad items (copy no parser
takes: ``quarantined``), at the single door and the bulk door at the same time. Each request
is retried as a feed retries it (``feed``): a connection error or reset, a timeout, a 5xx or a
429 is tried again with backoff until it gets a 2xx. Accepted = the distinct receipts the API
answered 202 for.

The faults (``faults``): a worker's pool process SIGKILLed mid-stage, a whole worker group
SIGKILLed and started again, the API SIGKILLed mid-request at the single door and at the bulk
door and started again on its port, Valkey SIGKILLed and started again from its AOF on its
port, Valkey's maxmemory set to what it holds for some seconds and then freed. They come one
after another, each while stories are arriving; a process that exits on its own is noted and
started again, as Kubernetes would (an *unplanned exit*).

The count (``tally``), after the last fault and a settle time: published, duplicate,
quarantined; *stuck* (a receipt that is not terminal at the end), *lost* (accepted, but no
receipt and no published story), *published twice* (a receipt with more than one event on the
stories stream, or a story id and version published or updated more than once); and per
fault the *recovery time*: from the fault's end until every item accepted before that end was
terminal. Stuck receipts are listed with their state, stage, attempts and whether any broker
message still carries them.

Valkey runs with ``appendfsync always``, its data on /dev/shm when there is room. With
``everysec`` (`make run`'s), a SIGKILL can drop writes Valkey had already answered (those
still in its own AOF buffer when a background fsync held the write back, and, after a machine
crash, up to a second of them): Redis's documented trade-off. A story lost that way would be
the AOF policy's, not wiredesk's, and the suite is there to count wiredesk's. ``always``
writes every change to the AOF before it answers, so whatever is lost here was lost by
wiredesk. The fsync that ``always`` adds cost about 5 ms a write on this machine's disk
(every stage waits on several), and nothing on tmpfs, where a SIGKILL of the server (not of
the machine, which the suite does not simulate) keeps what was written all the same.
``--appendfsync everysec`` runs the suite on the policy `make run` uses.

The same code runs small in `make test` (``tests/bench/test_soak.py``: 1,000 stories, one
fault of each kind), asserting 0 stuck, 0 lost, 0 published twice and no unplanned exit.
"""

from bench.soak.run import SoakConfig, run
from bench.soak.tally import render

__all__ = ["SoakConfig", "render", "run"]
