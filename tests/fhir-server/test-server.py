#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Round trip against a running FHIR test server (started by run-with-fhir-server.py with
# --bearer): transaction with PUT Observation + R5 DeviceAssociation, search, replay,
# conditional create, bearer enforcement, R5 validation, 503 injection and reset. TAP output.

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ['OHE_FHIR_BASE_URL']
ADMIN = os.environ['OHE_FHIR_ADMIN_URL']
TOKEN = os.environ['OHE_FHIR_BEARER']
OBS_SYS = 'urn:example:wearable-daemon:obs'
results = []


def check(name, ok, detail=''):
    results.append((name, bool(ok), detail))


def request(method, url, body=None, token=TOKEN, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header('Content-Type', 'application/fhir+json')
    if token is not None:
        req.add_header('Authorization', f'Bearer {token}')
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b'null')
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b'null')


def count(query):
    status, _, body = request('GET', f'{BASE}/{query}&_summary=count')
    return body.get('total') if status == 200 and 'entry' not in body else f'HTTP {status} {body}'


def hr(value_id, minute, value):
    return {
        'resourceType': 'Observation', 'id': value_id, 'status': 'final',
        'identifier': [{'system': OBS_SYS, 'value': f'WATCH-0001/8867-4/2025-01-01T10:{minute:02d}:00Z'}],
        'category': [{'coding': [{'system': 'http://terminology.hl7.org/CodeSystem/observation-category',
                                  'code': 'vital-signs'}]}],
        'code': {'coding': [{'system': 'http://loinc.org', 'code': '8867-4'}]},
        'subject': {'reference': 'Patient/p1'},
        'effectiveDateTime': f'2025-01-01T10:{minute:02d}:00Z',
        'valueQuantity': {'value': value, 'unit': 'beats/minute',
                          'system': 'http://unitsofmeasure.org', 'code': '/min'},
    }


def transaction():
    assoc = {
        'resourceType': 'DeviceAssociation', 'id': 'assoc1',
        'identifier': [{'system': 'urn:example:assoc', 'value': 'WATCH-0001/p1'}],
        'device': {'reference': 'Device/d1'},
        'status': {'coding': [{'system': 'http://hl7.org/fhir/deviceassociation-status',
                               'code': 'attached'}]},
        'subject': {'reference': 'Patient/p1'},
    }
    entries = [hr('hr1', 0, 72), hr('hr2', 1, 75), assoc]
    return {'resourceType': 'Bundle', 'type': 'transaction', 'entry': [
        {'resource': r, 'request': {'method': 'PUT', 'url': f'{r["resourceType"]}/{r["id"]}'}}
        for r in entries]}


def test_transaction():
    status, _, body = request('POST', BASE, transaction())
    statuses = [e['response']['status'] for e in body.get('entry', [])] if status == 200 else body
    check('transaction of 2 PUT Observation + PUT DeviceAssociation: 200',
          status == 200 and body['type'] == 'transaction-response' and len(statuses) == 3,
          f'{status} {statuses}')
    check('search Observation by identifier: 1',
          count(f'Observation?identifier={OBS_SYS}|WATCH-0001/8867-4/2025-01-01T10:01:00Z') == 1)
    check('search Observation by subject: 2', count('Observation?subject=Patient/p1') == 2)
    check('search Observation by code: 2', count('Observation?code=http://loinc.org|8867-4') == 2)
    check('search DeviceAssociation (R5) by device: 1',
          count('DeviceAssociation?device=Device/d1') == 1)
    status, _, body = request('GET', f'{BASE}/DeviceAssociation/assoc1')
    check('read DeviceAssociation/assoc1', status == 200 and
          body['status']['coding'][0]['code'] == 'attached', f'{status}')
    status, _, body = request('POST', BASE, transaction())
    check('replayed transaction: 200, same counts', status == 200 and
          count('Observation?subject=Patient/p1') == 2 and
          count('DeviceAssociation?identifier=urn:example:assoc|WATCH-0001/p1') == 1)


def test_conditional_create():
    obs = hr(None, 5, 80)
    del obs['id']
    ident = f'identifier={OBS_SYS}|WATCH-0001/8867-4/2025-01-01T10:05:00Z'
    first = request('POST', f'{BASE}/Observation', obs, headers={'If-None-Exist': ident})
    second = request('POST', f'{BASE}/Observation', obs, headers={'If-None-Exist': ident})
    check('conditional create: 201 then 200, same id',
          first[0] == 201 and second[0] == 200 and first[2]['id'] == second[2]['id'] and
          first[1].get('Location', '').startswith(f'{BASE}/Observation/{first[2]["id"]}/_history/'),
          f'{first[0]} {second[0]}')
    check('conditional create: one resource', count(f'Observation?{ident}') == 1)
    upd = dict(obs, valueQuantity=dict(obs['valueQuantity'], value=81))
    status, _, body = request('PUT', f'{BASE}/Observation?{ident}', upd)
    check('conditional update: 200, same id, new value',
          status == 200 and body['id'] == first[2]['id'] and body['valueQuantity']['value'] == 81,
          f'{status}')


def test_r5_shapes():
    rr = {
        'resourceType': 'Observation', 'id': 'rr1', 'status': 'final',
        'code': {'coding': [{'system': 'urn:iso:std:iso:11073:10101', 'code': '147240'}]},
        'subject': {'reference': 'Patient/p1'},
        'effectivePeriod': {'start': '2025-01-01T10:00:00Z', 'end': '2025-01-01T10:00:03Z'},
        'valueSampledData': {'origin': {'value': 0, 'unit': 'ms', 'system': 'http://unitsofmeasure.org',
                                        'code': 'ms'},
                             'intervalUnit': 'ms', 'dimensions': 1, 'offsets': '0 810 1650',
                             'data': '810 840 790'},
    }
    status, _, _ = request('PUT', f'{BASE}/Observation/rr1', rr)
    got = request('GET', f'{BASE}/Observation/rr1')[2]
    check('R5 SampledData with offsets stored verbatim',
          status in (200, 201) and got['valueSampledData'] == rr['valueSampledData'], f'{status}')
    rr['valueSampledData']['interval'] = 800
    status, _, body = request('PUT', f'{BASE}/Observation/rr1', rr)
    check('interval and offsets together: 400 (sdd-1)', status == 400 and
          body['issue'][0]['expression'] == ['Observation.valueSampledData'] and
          'sdd-1' in body['issue'][0]['diagnostics'], f'{status} {body}')
    del rr['valueSampledData']['interval']
    rr['valueSampledData']['period'] = 800
    status, _, body = request('PUT', f'{BASE}/Observation/rr1', rr)
    check('R4 SampledData.period: 400', status == 400 and
          body['issue'][0]['diagnostics'] == 'Observation/rr1: unknown property "period"', f'{body}')


def test_bearer():
    status, headers, body = request('GET', f'{BASE}/Observation?_summary=count', token=None)
    check('no bearer: 401 OperationOutcome', status == 401 and
          body['resourceType'] == 'OperationOutcome' and body['issue'][0]['code'] == 'login' and
          headers.get('WWW-Authenticate', '').startswith('Bearer'), f'{status}')
    status, _, body = request('GET', f'{BASE}/Observation?_summary=count', token='wrong')
    check('wrong bearer: 401', status == 401 and
          body['issue'][0]['diagnostics'] == 'unknown bearer token', f'{status}')
    status, _, body = request('GET', f'{BASE}/metadata', token=None)
    check('metadata without bearer: 200, R5', status == 200 and body['fhirVersion'] == '5.0.0')


def test_fault_injection():
    status, _, _ = request('POST', f'{ADMIN}/fail?status=503&count=2&retry_after=1', token=None)
    seen = [request('GET', f'{BASE}/Observation?_summary=count') for _ in range(3)]
    check('503 injected twice, then recovery',
          status == 200 and [s[0] for s in seen] == [503, 503, 200] and
          seen[0][1].get('Retry-After') == '1', f'{[s[0] for s in seen]}')
    status, _, stats = request('GET', f'{ADMIN}/stats', token=None)
    check('admin stats count the injected failures', stats['injected_failures'] == 2)


def test_reset():
    request('POST', f'{ADMIN}/reset', token=None)
    check('reset clears the repository', count('Observation?subject=Patient/p1') == 0 and
          count('DeviceAssociation?device=Device/d1') == 0)


def main():
    for test in (test_bearer, test_transaction, test_conditional_create, test_r5_shapes,
                 test_fault_injection, test_reset):
        try:
            test()
        except Exception as e:  # a crash is one failed check, the others still run
            check(f'{test.__name__} ran', False, repr(e))
    print(f'1..{len(results)}')
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {name}')
        if not ok and detail:
            print(f'# {detail}')
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
