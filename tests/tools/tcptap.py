#!/usr/bin/env python3
"""tcptap.py -- a TCP relay that writes every byte it carries to a file.

    tcptap.py LISTEN_IP:PORT TARGET_IP:PORT DUMP SECONDS

Accepts connections on LISTEN, relays each to TARGET, and appends what
either side sends to DUMP (raw bytes, both directions, in arrival order):
the wire as an observer between two peers sees it.  Prints "ready" once
listening; exits by itself after SECONDS.  Loopback only (tests).
"""
import asyncio
import sys


async def pipe(reader, writer, dump):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            dump.write(data)
            dump.flush()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    lhost, lport = sys.argv[1].rsplit(":", 1)
    thost, tport = sys.argv[2].rsplit(":", 1)
    dump = open(sys.argv[3], "ab")
    seconds = float(sys.argv[4])

    async def on_client(creader, cwriter):
        try:
            treader, twriter = await asyncio.open_connection(thost, int(tport))
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pipe(creader, twriter, dump), pipe(treader, cwriter, dump))

    server = await asyncio.start_server(on_client, lhost, int(lport))
    print("ready", flush=True)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), seconds)
        except asyncio.TimeoutError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
