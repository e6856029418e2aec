#!/usr/bin/env bash
# node_rpc.sh -- the JSON-RPC interface: cookie required, every method
# returns its documented shape, errors are JSON-RPC errors.
source "$(dirname "$0")/lib.bash"

start_node a 1 --seed --min-peers 1
start_node b 2 --seed-node "$(ip_of 1):$REGTEST_P2P" --min-peers 1
connected() { rpc a getpeerinfo | json "any(p['handshake_complete'] and p['pingtime'] is not None for p in d)" | grep -q True; }
wait_for 20 "b connected to a with a measured ping" connected

python3 - "$T/a/.cookie" "127.0.0.1:$((RPC_BASE + 1))" "$(ip_of 2)" <<'PY'
import base64, json, os, stat, sys, urllib.error, urllib.request

cookie_path, hostport, b_ip = sys.argv[1:4]
url = "http://%s/" % hostport
cookie = open(cookie_path).read().strip()
assert stat.S_IMODE(os.stat(cookie_path).st_mode) == 0o600, "cookie file must be 0600"
assert cookie.startswith("__cookie__:") and len(cookie) == len("__cookie__:") + 64

def post(body, auth=cookie):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    if auth is not None:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None

def call(method, *params):
    st, reply = post({"jsonrpc": "2.0", "id": 7, "method": method, "params": list(params)})
    assert st == 200 and reply["id"] == 7, (method, st, reply)
    return reply

def result(method, *params):
    reply = call(method, *params)
    assert "error" not in reply or reply["error"] is None, (method, reply)
    return reply["result"]

def has(obj, keys, what):
    missing = [k for k in keys if k not in obj]
    assert not missing, "%s lacks %s" % (what, missing)

# Authentication.
assert post({"jsonrpc": "2.0", "id": 1, "method": "getnetworkinfo"}, auth=None)[0] == 401
assert post({"jsonrpc": "2.0", "id": 1, "method": "getnetworkinfo"}, auth="__cookie__:00")[0] == 401

info = result("getnetworkinfo")
has(info, ["version", "subversion", "protocolversion", "network", "localservices",
           "connections", "connections_in", "connections_out", "localaddresses",
           "totalbytesrecv", "totalbytessent", "uptime", "addrman_new", "addrman_tried",
           "banned", "networkhealth"], "getnetworkinfo")
assert info["network"] == "regtest" and info["connections"] >= 1
assert 0 <= info["networkhealth"] <= 100

peers = result("getpeerinfo")
assert len(peers) >= 1
for p in peers:
    has(p, ["id", "addr", "addr_local", "direction", "connection_type", "services", "servicesnames",
            "version", "subver", "startingheight", "bytessent", "bytesrecv", "conntime",
            "connected_seconds", "pingtime", "minping", "avgping", "pingwait", "sendrate",
            "recvrate", "quality", "reputation", "country", "asn", "latency_history_ms"],
        "getpeerinfo entry")
    has(p["quality"], ["score", "reliability", "uptime_seconds"], "quality")
    has(p["reputation"], ["score", "violations", "last_seen"], "reputation")
    assert p["direction"] in ("inbound", "outbound")
assert any(p["subver"].startswith("/agentnode:") for p in peers)

stats = result("getnetworkstats")
has(stats, ["TotalNodes", "ActiveNodes", "GeographicSpread", "AverageLatency", "NetworkHealth"],
    "getnetworkstats")
assert stats["ActiveNodes"] >= 1 and isinstance(stats["GeographicSpread"], dict)

addrs = result("getnodeaddresses", 0)
assert isinstance(addrs, list)
for a in addrs:
    has(a, ["time", "services", "address"], "getnodeaddresses entry")

# Bans: add, list, remove, clear.
assert result("setban", "203.0.113.0/24", "add", 3600) is None
bans = result("listbanned")
assert any(b["address"] == "203.0.113.0/24" for b in bans), bans
has(bans[0], ["address", "ban_created", "banned_until", "reason"], "listbanned entry")
assert result("setban", "203.0.113.0/24", "remove") is None
assert result("setban", "198.51.100.7", "add") is None
assert result("clearbanned") is None and result("listbanned") == []

# addnode / disconnectnode.
# addnode answers with the outcome (nothing listens there: refused).
r = result("addnode", "127.0.0.99:29001", "add")
assert r["node"] == "127.0.0.99:29001" and r["result"] == "failed", r
assert "refused" in r["error"], r
assert "error" in call("addnode", "127.0.0.99:29001", "add")      # duplicate
assert result("addnode", "127.0.0.99:29001", "remove") is None
bpeer = [p for p in peers if p["addr"].startswith(b_ip + ":")][0]
assert result("disconnectnode", bpeer["id"]) is None
assert call("disconnectnode", 999999)["error"]["code"] == -1

# Errors are JSON-RPC errors.
assert call("nosuchmethod")["error"]["code"] == -32601
assert call("getnodeaddresses", "lots")["error"]["code"] == -32602
assert call("setban", "not-an-ip", "add")["error"]["code"] == -5
help_ = result("help")
assert "getpeerinfo" in json.dumps(help_)

assert result("stop") == "agentnode stopping"
print("rpc shapes ok")
PY
[ $? -eq 0 ] || fail "RPC checks failed"
wait_for 10 "a exits after stop" bash -c "! kill -0 $(node_pid a) 2>/dev/null"
[ ! -e "$T/a/.rpc-endpoint" ] || fail "a left its RPC endpoint file behind"

# rpc_endpoint_found_from_datadir (issue 15 item 16): b listens for RPC on a
# non-default address; the datadir alone is enough to reach it.
[ "$(cat "$T/b/.rpc-endpoint")" = "127.0.0.1:$((RPC_BASE + 2))" ] ||
	fail "b's .rpc-endpoint: $(cat "$T/b/.rpc-endpoint")"
"$BIN/agentnode" rpc --network regtest --datadir "$T/b" getnetworkinfo |
	grep -q '"network": "regtest"' || fail "rpc --datadir did not find b"
# Options after the method are refused, not silently dropped.
out=$("$BIN/agentnode" rpc --network regtest --datadir "$T/b" getnetworkinfo --rpc-timeout 1 2>&1) &&
	fail "an option after the method was accepted"
echo "$out" | grep -q "option --rpc-timeout after the method" || fail "unclear error: $out"
echo "PASS node_rpc"
