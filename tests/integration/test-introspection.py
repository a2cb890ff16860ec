#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The OhePlugin-1.0 typelib works from Python through PyGObject."""
import sys

import gi

gi.require_version("OhePlugin", "1.0")
from gi.repository import OhePlugin  # noqa: E402

checks = []


def check(name, condition):
    checks.append((name, bool(condition)))


kind = OhePlugin.MeasurementKind.BODY_WEIGHT
check("kind name", OhePlugin.measurement_kind_to_string(kind) == "body_weight")
check("kind unit", OhePlugin.measurement_kind_get_unit(kind) == "kg")

m = OhePlugin.Measurement.new(kind)
m.set_time(1761990000000000, 1761990000000000)
m.set_value_decimal(72345, -3)
m.set_provider("withings")
m.set_native_id("grp-1")
check("exact decimal", m.format_value() == "72.345")
check("unit", m.get_unit() == "kg")
check("provider", m.get_provider() == "withings")
check("validate", m.validate())

bp = OhePlugin.Measurement.new(OhePlugin.MeasurementKind.BLOOD_PRESSURE)
bp.set_time(1761990000000000, 1761990000000000)
bp.set_component("systolic", 121)
bp.set_component("diastolic", 79)
ok, value = bp.get_component("systolic")
check("component", ok and value == 121)

ecg = OhePlugin.Measurement.new(OhePlugin.MeasurementKind.ECG)
lead = OhePlugin.Series.new_with_interval("I", 1000.0 / 300.0)
lead.set_factor(0.001)
lead.append_samples([1, -2, 3])
ecg.add_series(lead)
check("series samples", list(ecg.get_series(0).get_samples()) == [1, -2, 3])

try:
    OhePlugin.Measurement.new(kind).validate()
    check("validate error", False)
except gi.repository.GLib.Error as e:
    check("validate error", "body_weight" in e.message)

print(f"1..{len(checks)}")
failed = 0
for i, (name, ok) in enumerate(checks, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    failed += not ok
sys.exit(1 if failed else 0)
