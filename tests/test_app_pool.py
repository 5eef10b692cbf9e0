"""The app's preheated pool: ``room`` kernels in all while a room arrives, one spare beyond."""

from __future__ import annotations

import asyncio

from labkit.serve.server import APP_NOTEBOOK, limit_app_pool


class FakeKernelManager:
    def __init__(self, room: int):
        self.kernel_pools_config = {"default": {"pool_size": 0}, APP_NOTEBOOK: {"pool_size": room}}
        self._pools: dict[str, list] = {APP_NOTEBOOK: []}
        self.notebook_data = {APP_NOTEBOOK: {"kernel_ids": set()}}
        self.asked: list[int] = []
        self.serial = 0

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        size = self.kernel_pools_config[notebook_name]["pool_size"]
        self.asked.append(size)
        pool = self._pools[notebook_name]
        loop = asyncio.new_event_loop()
        while len(pool) < size:
            self.serial += 1
            future = loop.create_future()
            future.set_result({"kernel_id": f"k{self.serial}"})
            pool.append(future)
            self.notebook_data[notebook_name]["kernel_ids"].add(f"k{self.serial}")
        loop.close()

    def take(self) -> None:
        """A page takes a preheated kernel, then Voilà refills the pool."""
        self._pools[APP_NOTEBOOK].pop(0)
        self.fill_if_needed(notebook_name=APP_NOTEBOOK)


def test_a_room_keeps_room_kernels_then_one_spare():
    manager = FakeKernelManager(room=3)
    limit_app_pool(manager, 3)
    manager.fill_if_needed(notebook_name=APP_NOTEBOOK)
    assert len(manager._pools[APP_NOTEBOOK]) == 3
    for _ in range(5):
        manager.take()
    in_use = 5
    kernels = len(manager.notebook_data[APP_NOTEBOOK]["kernel_ids"])
    assert len(manager._pools[APP_NOTEBOOK]) >= 1  # a late arrival or a reload waits for none
    assert kernels <= in_use + 3  # never a full second room of idle kernels
    assert manager.asked[-1] == 1


def test_other_notebooks_keep_their_own_pool_size():
    manager = FakeKernelManager(room=2)
    manager.kernel_pools_config["05_modele.ipynb"] = {"pool_size": 2}
    manager._pools["05_modele.ipynb"] = []
    manager.notebook_data["05_modele.ipynb"] = {"kernel_ids": set()}
    limit_app_pool(manager, 2)
    manager.fill_if_needed(notebook_name="05_modele.ipynb")
    assert manager.asked == [2]
