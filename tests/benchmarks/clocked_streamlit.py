"""``streamlit`` that also tells its own CPU time: the browser benchmark's server.

    python tests/benchmarks/clocked_streamlit.py SOCKET run script.py [streamlit options]

runs the Streamlit command line in this process and answers every connection to the
Unix socket ``SOCKET`` with this process's CPU seconds as text (``time.process_time()``:
user+sys of all its threads, ended ones included, to the nanosecond). ``/proc/<pid>/stat``
counts 10 ms clock ticks, and a warm view of a bare page costs about one of them: read
from there it showed as 0 or 0.01 s, and a ratio to it as nothing or noise.
"""

import socket
import sys
import threading
import time

from streamlit.web.cli import main


def answer(listener: socket.socket) -> None:
    """Send ``time.process_time()`` to each connection of ``listener``, forever (a daemon thread:
    it waits in ``accept`` and costs nothing between questions)."""
    while True:
        connection, _ = listener.accept()
        with connection:
            connection.sendall(repr(time.process_time()).encode())


if __name__ == "__main__":
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(sys.argv.pop(1))
    listener.listen()
    threading.Thread(target=answer, args=(listener,), name="cpu clock", daemon=True).start()
    sys.path[0] = ""    # the working directory first, as `python -m streamlit` has it
    main(prog_name="streamlit")
