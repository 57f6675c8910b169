"""python -m gateway_fakes VENDOR [--port 0] [--option key=value ...]: prints `READY http://127.0.0.1:PORT`."""
import argparse
import importlib
import os
import signal
import sys
import threading

from . import server, spec

VENDORS = ("stripe", "paypal", "braintree", "square", "adyen", "authorize_net", "generic")

parser = argparse.ArgumentParser(prog="gateway_fakes")
parser.add_argument("vendor", choices=VENDORS)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--option", action="append", default=[], help="vendor setting, key=value (credentials, secrets)")
args = parser.parse_args()
options = dict(o.split("=", 1) for o in args.option)


def stop_with_parent():
    # The tests start us; die with them even when they are killed without a chance to clean up.
    parent = os.getppid()
    while True:
        threading.Event().wait(1)
        if os.getppid() != parent:
            os._exit(0)


threading.Thread(target=stop_with_parent, daemon=True).start()
# Foundation's Process starts children with the parent's signal mask, in which SIGTERM is blocked.
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
module = importlib.import_module("gateway_fakes." + args.vendor)
# Parse the vendor's spec before saying READY, so the first request is not slowed by it (Stripe's takes seconds).
for document in [getattr(module, "SPEC", None), getattr(module, "CONTRACT", None), *getattr(module, "SPECS", {}).values()]:
    if document:
        spec.load(document)
server.serve(module.Vendor, args.host, args.port, options)
