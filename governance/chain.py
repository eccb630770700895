"""The auditors' verifier, run from a Commons checkout:

    python governance/chain.py verify EXPORT.jsonl [--expect-head SEQ:HASH]

The verifier itself is `kernel/chain.py`: one file, Python's standard library
only, also served at /bylaws/audit/chain.py for anyone to download and run
alone. This entry point keeps the documented command working from a checkout,
with its worker processes: it takes its own folder off the import path (where
the application's modules, such as `governance/selectors.py`, would hide the
standard library's) and runs the verifier as the module `kernel.chain`, which
worker processes can import too.
"""

import os
import sys

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    sys.path.insert(0, os.path.dirname(here))
    from kernel.chain import main

    sys.exit(main())
