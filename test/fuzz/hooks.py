"""Schemathesis hooks for the API fuzz (loaded through SCHEMATHESIS_HOOKS by test/fuzz/api-fuzz.test.ts).

The fixture file named by FUZZ_FIXTURE (written by the test) gives:
- tokens: bearer tokens of several roles, and of an outsider; each request takes the next one
  (one in eight goes without, to exercise authentication);
- ids: real ids per path parameter name, so most generated requests reach real events, items,
  gates, ... instead of 404;
- oracle: a loopback endpoint of the test that reports, for an event or a program, whether it
  exists and how many updates its workflow has accepted.

FUZZ_LOG, when set, names a file that gets a line per request and per answer (for debugging).

A custom check, refused_request_changes_nothing, asks the oracle before and after every refused
(4xx) mutating request and fails when the target's accepted-update count or existence changed.
"""

import json
import os
import urllib.parse
import urllib.request
import zlib

import schemathesis

with open(os.environ["FUZZ_FIXTURE"], encoding="utf-8") as fixture_file:
    FIXTURE = json.load(fixture_file)

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
_calls = {"n": 0}
_before = {}


def _stable_hash(value):
    return zlib.crc32(json.dumps(value, sort_keys=True, default=str).encode("utf-8"))


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    # Three values in four become a real id; the rest stay as generated (unknown ids, odd text).
    if not path_parameters:
        return path_parameters
    _calls["mapped"] = _calls.get("mapped", 0) + 1
    if _calls["mapped"] % 4 == 0:
        return path_parameters
    # Cancelling ends an event for every later request: it gets events of its own.
    cancelling = context.operation is not None and context.operation.path.endswith("/cancel")
    for name, value in list(path_parameters.items()):
        real = FIXTURE["ids"].get("cancellableEventId" if cancelling and name == "eventId" else name)
        if real and isinstance(value, str):
            path_parameters[name] = real[(_stable_hash(value) + _calls["mapped"]) % len(real)]
    return path_parameters


def _targets(case):
    """The events and programs a request could change: from its path, and a start's body."""
    targets = []
    path = case.path_parameters or {}
    if isinstance(path.get("eventId"), str):
        targets.append(("event", path["eventId"]))
    if isinstance(path.get("programId"), str):
        targets.append(("program", path["programId"]))
    body = case.body if isinstance(case.body, dict) else {}
    if case.operation.path == "/events" and isinstance(body.get("eventId"), str):
        targets.append(("event", body["eventId"]))
    if case.operation.path == "/programs" and isinstance(body.get("id"), str):
        targets.append(("program", body["id"]))
    if case.operation.path.startswith("/events/{eventId}") and isinstance(body.get("programId"), str):
        targets.append(("program", body["programId"]))
    return targets


def _snapshot(targets):
    query = urllib.parse.urlencode({"targets": json.dumps(targets)})
    with urllib.request.urlopen(f"{FIXTURE['oracle']}/snapshot?{query}", timeout=30) as answer:
        return json.load(answer)


@schemathesis.hook
def before_call(context, case, kwargs):
    n = _calls["n"]
    _calls["n"] = n + 1
    headers = dict(case.headers or {})
    if n % 8 == 7:
        headers.pop("Authorization", None)
    else:
        headers["Authorization"] = "Bearer " + FIXTURE["tokens"][n % len(FIXTURE["tokens"])]
    case.headers = headers
    if os.environ.get("FUZZ_LOG"):
        with open(os.environ["FUZZ_LOG"], "a", encoding="utf-8") as log:
            log.write(f"> {case.method} {case.formatted_path} {case.media_type} {str(case.body)[:80]!r}\n")
    if case.method.upper() in MUTATING:
        targets = _targets(case)
        _before[id(case)] = (targets, _snapshot(targets))


@schemathesis.check
def refused_request_changes_nothing(ctx, response, case):
    recorded = _before.pop(id(case), None)
    if recorded is None or not 400 <= response.status_code < 500:
        return None
    targets, before = recorded
    after = _snapshot(targets)
    if after != before:
        raise AssertionError(
            f"refused with {response.status_code}, yet the target changed: before {before}, after {after}"
        )
    return None


if os.environ.get("FUZZ_LOG"):

    @schemathesis.hook
    def after_call(context, case, response):
        with open(os.environ["FUZZ_LOG"], "a", encoding="utf-8") as log:
            log.write(f"{response.status_code} {case.method} {case.formatted_path} {response.text[:160]}\n")
