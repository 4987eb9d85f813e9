"""A local TCP port in front of a real service that tests can switch off and on: the service as
seen by a client while it is down (connections refused, open ones cut), then back."""

import asyncio
import threading

from tests.assistant import free_port


class TcpSwitch:
    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self.loop = asyncio.new_event_loop()
        self._server = None
        self._writers = set()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(5)

    def open(self) -> None:
        """Accept connections and forward them."""
        async def listen():
            self._server = await asyncio.start_server(self._forward, "127.0.0.1", self.port)
        self._call(listen())

    def cut(self) -> None:
        """Refuse new connections and break the open ones, as a stopped service does."""
        async def shut():
            if self._server:
                self._server.close()
                await self._server.wait_closed()
                self._server = None
            for writer in list(self._writers):
                writer.transport.abort()
            self._writers.clear()
        self._call(shut())

    def close(self) -> None:
        self.cut()
        self.loop.call_soon_threadsafe(self.loop.stop)

    async def _forward(self, reader, writer) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update({writer, upstream_writer})

        async def pipe(source, sink):
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer),
                             return_exceptions=True)
        self._writers.difference_update({writer, upstream_writer})
