"""The auditors' verifier, run from a Commons checkout:

    python governance/chain.py verify EXPORT.jsonl [--expect-head SEQ:HASH]

The verifier itself is `kernel/chain.py`: one file, Python's standard library
only, also served at /bylaws/audit/chain.py for anyone to download and run
alone. This entry point keeps the documented command working from a checkout,
from any working folder, with its worker processes. It takes its own folder
off the import path (there the application's modules, such as
`governance/selectors.py`, would hide the standard library's) and runs
`kernel/chain.py` by its path, exactly as `python kernel/chain.py` would: the
verifier then sees itself as the main script, and worker processes started
with spawn or forkserver load that same file, never a module found on the
import path.
"""

import os
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or os.curdir) != here]
    import runpy  # only now: a file in this folder could be named like any module

    runpy.run_path(os.path.join(os.path.dirname(here), "kernel", "chain.py"), run_name="__main__")
