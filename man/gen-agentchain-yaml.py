#!/usr/bin/env python3
"""gen-agentchain-yaml.py -- write man/agentchain.yaml.5 from the config key table.

The key list comes from `agentnode --help-config` (common/config.c's table),
so the manual cannot drift from what the programs accept; the test
tests/integration/manpages.sh regenerates it and fails if the committed page
differs.  Usage: gen-agentchain-yaml.py AGENTNODE > man/agentchain.yaml.5
"""
import re
import subprocess
import sys

HEAD = r""".Dd November 24, 2026
.Dt AGENTCHAIN.YAML 5
.Os
.Sh NAME
.Nm agentchain.yaml
.Nd configuration file of the Agent Chain P2P toolkit
.Sh DESCRIPTION
One YAML schema configures
.Xr agentnode 1 ,
.Xr agentcrawl 1 ,
.Xr agentconsole 1
and
.Xr agentseeder 8 ;
each program reads the keys it uses.
Keys are grouped in sections (nested maps): a key written
.Cm network.max_peers
below is
.Bd -literal -offset indent
network:
  max_peers: 50
.Ed
.Pp
Scalars are integers (decimal only), booleans
.Po Li true
or
.Li false
only
.Pc ,
strings and lists (block or flow style).
A
.Li ~
or empty value means the default.
Anchors, aliases, tags and more than one document are refused, and so are
files over 1 MiB.
.Pp
Command-line flags override the file; the file overrides the defaults.
An unknown key, a value of the wrong type or out of range, or a duplicate
key is an error that names the file, the line and the key, for example
.Dl regtest.yaml:7: network.max_peers: 1..100000, got 0
and the program exits 1 before doing anything else.
.Sh KEYS
"""

TAIL = r""".Sh FILES
.Bl -tag -width Ds -compact
.It Pa configs/mainnet.yaml , configs/testnet.yaml , configs/regtest.yaml
commented examples, installed under
.Pa share/agentchain/configs/
.El
.Sh SEE ALSO
.Xr agentconsole 1 ,
.Xr agentcrawl 1 ,
.Xr agentnode 1 ,
.Xr agentseeder 8
"""


def roff(text):
    """Escape free text for mdoc and turn `code` into literal words: one
    sentence per line, punctuation after a literal on its macro line."""
    text = re.sub(r"\s+", " ", text.replace("\\", "\\e")).strip()
    parts = re.split(r"`([^`]*)`", text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part)
            continue
        punct = ""
        m = re.match(r"^([.,;:)]+)(?=\s|$)", parts[i + 1]) if i + 1 < len(parts) else None
        if m:
            punct = " " + " ".join(m.group(1))
            parts[i + 1] = parts[i + 1][len(m.group(1)):]
        out.append("\n.Li " + part.replace('"', "\\(dq") + punct + "\n")
    lines = []
    for line in "".join(out).split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith(".Li "):
            lines.append(line)
            continue
        for sentence in re.split(r"(?<=[A-Za-z0-9)\]>]\.) +(?=[A-Z$])", line):
            lines.append("\\&" + sentence if sentence[0] in ".'" else sentence)
    return "\n".join(lines)


def main():
    md = subprocess.run([sys.argv[1], "--help-config"], check=True,
                        capture_output=True, text=True).stdout
    body, in_list = [], False
    item = None

    def flush():
        nonlocal item
        if item is not None:
            key, text = item
            body.append(".It Cm %s\n%s" % (key, roff(text)))
            item = None

    for line in md.splitlines():
        m = re.match(r"^## (.*)", line)
        if m:
            flush()
            if in_list:
                body.append(".El")
            body.append(".Ss %s" % roff(m.group(1)))
            body.append(".Bl -tag -width Ds")
            in_list = True
            continue
        m = re.match(r"^- `([^`]+)`: (.*)", line)
        if m:
            flush()
            item = (m.group(1), m.group(2))
            continue
        m = re.match(r"^- ([^:]+): (.*)", line)
        if m:
            flush()
            item = (m.group(1), m.group(2))
            continue
        if item is not None and line.strip():
            item = (item[0], item[1] + "\n" + line.strip())
        elif line.strip() and not in_list:
            body.append(roff(line))
    flush()
    if in_list:
        body.append(".El")
    text = HEAD + "\n".join(body) + "\n" + TAIL
    text = text.replace(".It Cm \n", ".It\n")
    sys.stdout.write(text)


main()
