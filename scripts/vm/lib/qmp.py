#!/usr/bin/env python3
"""qmp.py SOCKET JSON... — send QMP commands to a running QEMU, one JSON object per argument, in order.

Prints each reply (one line), skips asynchronous events, exits 1 if any command returned an error and 2 if
QEMU could not be reached (the socket is retried for up to 5 s, for use right after QEMU starts)."""
import json, socket, sys, time

def connect(path):
    deadline = time.monotonic() + 5
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)

def main():
    try:
        sock = connect(sys.argv[1])
    except OSError as e:
        print(f'qmp: cannot connect to {sys.argv[1]}: {e}', file=sys.stderr)
        return 2
    sock.settimeout(15)
    stream = sock.makefile('rwb')

    def reply():
        while True:
            line = stream.readline()
            if not line:
                raise ConnectionError('QEMU closed the QMP connection')
            msg = json.loads(line)
            if 'return' in msg or 'error' in msg:
                return msg

    def send(cmd):
        stream.write(json.dumps(cmd).encode() + b'\n')
        stream.flush()
        return reply()

    json.loads(stream.readline())            # greeting
    send({'execute': 'qmp_capabilities'})
    failed = False
    for arg in sys.argv[2:]:
        try:
            msg = send(json.loads(arg))
        except (ConnectionError, OSError) as e:
            print(f'qmp: {e}', file=sys.stderr)
            return 2
        print(json.dumps(msg), flush=True)
        failed = failed or 'error' in msg
    return 1 if failed else 0

if __name__ == '__main__':
    sys.exit(main())
