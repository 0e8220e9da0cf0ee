"""Small in-process plugins for testing the core's mechanics (not real issuers).

``toy`` reads ``{"toy": [{"title": ...}, ...]}``; an item ``{"explode": true}``
makes it raise after yielding the items before it.
"""

from __future__ import annotations

import types

from passport_hub import CredentialSource, hookimpl, stable_id
from passport_hub.errors import MalformedError
from passport_hub.model import Achievement, CredentialRecord, Issuer, Source


class ToySource(CredentialSource):
    name = "toy"
    title = "Toy JSON for core tests"
    formats = ("application/json; toy",)

    def sniff(self, document):
        data = document.try_json()
        return isinstance(data, dict) and "toy" in data

    def parse(self, document):
        data = document.json()
        for index, item in enumerate(data["toy"]):
            if item.get("explode"):
                raise MalformedError(f"{document.name}: item {index} cannot be read")
            yield CredentialRecord(
                id=stable_id("toy", item["title"]),
                issuer=Issuer(name="Toy Issuer"),
                achievement=Achievement(kind="certificate", title=item["title"]),
                source=Source(plugin=self.name, plugin_version="1", format="toy", document_sha256=document.sha256),
            )


def module(name: str, **attrs) -> types.ModuleType:
    mod = types.ModuleType(name)
    for key, value in attrs.items():
        setattr(mod, key, value)
    return mod


@hookimpl
def _register_toy(register):
    register(ToySource)


toy_plugin = module("toy_plugin", passport_hub_register_sources=_register_toy)
