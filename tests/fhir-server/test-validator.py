#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# validate.mjs on the FHIR samples in samples/ (the bad*.json ones must fail for their reason, the
# others pass) and on hand-made resources that break one semantic rule each. TAP output.
#
# usage: test-validator.py VALIDATE_MJS   (env: OHE_FHIR_NODE, OHE_FHIR_SAMPLES)

import copy
import json
import os
import subprocess
import sys
import tempfile

VALIDATE = os.path.abspath(sys.argv[1])
NODE = os.environ.get('OHE_FHIR_NODE', 'node')
SAMPLES = os.environ.get('OHE_FHIR_SAMPLES', '')
HR_ID = 'Observation?identifier=urn:example:wearable-daemon:obs|WATCH-0001/8867-4/2025-01-01T10:00:00Z'
ECG_ID = 'Observation?identifier=urn:example:wearable-daemon:obs|WATCH-0001/ecg/2025-01-01T10:10:00Z'

BAD_SAMPLES = {
    'bad.json': [
        'bad.json: Observation: Observation: unknown property "bogus"',
        'bad.json: Observation: Observation.status: required element "status" missing',
    ],
    'bad_r4_period.json': [
        f'bad_r4_period.json: {ECG_ID}: Observation.component[0].valueSampledData: '
        'unknown property "period"',
    ],
    'bad_status.json': [
        f'bad_status.json: {HR_ID}: Observation.status: "done" is not an observation-status code '
        '(registered, preliminary, final, amended, corrected, cancelled, entered-in-error, unknown)',
    ],
    'bad_valuestring.json': [
        f'bad_valuestring.json: {HR_ID}: Observation.valueQuantity.value: must be of type number',
    ],
}

results = []


def check(name, ok, detail=''):
    results.append((name, ok, detail))


def run(files, cwd):
    p = subprocess.run([NODE, VALIDATE, '--quiet'] + files, cwd=cwd, capture_output=True,
                       text=True, timeout=120)
    return p.returncode, [l for l in p.stdout.splitlines() if l]


def expect(name, files, cwd, rc, lines):
    got_rc, got = run(files, cwd)
    ok = got_rc == rc and got == lines
    check(name, ok, f'rc {got_rc} (want {rc})\n' + '\n'.join(
        [f'got:  {l}' for l in got] + [f'want: {l}' for l in lines]))


def load(name):
    with open(os.path.join(SAMPLES, name), encoding='utf-8') as f:
        return json.load(f)


def semantic_cases(tmp):
    hr, bp, ecg, tx = load('hr.json'), load('bp.json'), load('ecg.json'), load('tx.json')
    cases = []

    def case(name, resource, lines, ndjson=False):
        path = os.path.join(tmp, name + ('.ndjson' if ndjson else '.json'))
        with open(path, 'w', encoding='utf-8') as f:
            if ndjson:
                f.write('\n'.join(json.dumps(r) for r in resource) + '\n')
            else:
                json.dump(resource, f)
        cases.append((name, os.path.basename(path), lines))

    r = copy.deepcopy(hr)
    r['valueQuantity']['code'] = 'beats/min'
    case('hr-unit', r, [f'hr-unit.json: {HR_ID}: Observation.valueQuantity.code: vital sign 8867-4 '
                        '(profile heartrate) needs UCUM code "/min", got "beats/min"'])
    r = copy.deepcopy(hr)
    r['code']['coding'][0]['code'] = '29463-7'
    r['valueQuantity'].update({'value': 70.2, 'code': '[lb_av]'})
    case('weight-lb', r, [])
    r['valueQuantity']['code'] = 'lb'
    case('weight-bad', r, [f'weight-bad.json: {HR_ID}: Observation.valueQuantity.code: vital sign '
                           '29463-7 (profile bodyweight) needs UCUM code "kg" or "g" or "[lb_av]", '
                           'got "lb"'])
    r = copy.deepcopy(hr)
    del r['category']
    del r['subject']
    case('hr-profile', r, [
        f'hr-profile.json: {HR_ID}: Observation.category: vital sign 8867-4 (profile heartrate) '
        'needs category http://terminology.hl7.org/CodeSystem/observation-category|vital-signs',
        f'hr-profile.json: {HR_ID}: Observation.subject: vital sign 8867-4 (profile heartrate) '
        'needs a subject'])
    r = copy.deepcopy(bp)
    r['id'] = 'bp1'
    del r['component'][1]
    r['component'][0]['valueQuantity']['code'] = 'mmHg'
    case('bp', r, [
        'bp.json: Observation/bp1: Observation.component[0].valueQuantity.code: component 8480-6 '
        'of vital sign 85354-9 (profile bp) needs UCUM code "mm[Hg]", got "mmHg"',
        'bp.json: Observation/bp1: Observation.component: vital sign 85354-9 (profile bp) needs '
        'a component http://loinc.org|8462-4'])
    r = copy.deepcopy(ecg)
    r['id'] = 'e1'
    sd = r['component'][0]['valueSampledData']
    sd['offsets'] = '0 1'
    del sd['intervalUnit']
    case('sdd', r, [
        'sdd.json: Observation/e1: Observation.component[0].valueSampledData: exactly one of '
        '"interval" and "offsets" must be present (sdd-1)',
        'sdd.json: Observation/e1: Observation.component[0].valueSampledData.intervalUnit: '
        'required element "intervalUnit" missing',
        f'sdd.json: Observation/e1: Observation.component[0].valueSampledData.offsets: 2 offsets '
        f'for {len(sd["data"].split())} data points in 1 dimension(s)'])
    r = copy.deepcopy(hr)
    r['id'] = 'h1'
    r['subject']['reference'] = 'Patient p1'
    r['device']['reference'] = 'urn:uuid:11111111-1111-4111-8111-111111111111'
    r['derivedFrom'] = [{'reference': 'Nonsense/x'}]
    case('refs', r, [
        "refs.json: Observation/h1: Observation.subject.reference: malformed reference "
        "\"Patient p1\" (expected Type/id)",
        'refs.json: Observation/h1: Observation.device.reference: reference '
        '"urn:uuid:11111111-1111-4111-8111-111111111111" matches no fullUrl in the Bundle',
        'refs.json: Observation/h1: Observation.derivedFrom[0].reference: reference '
        '"Nonsense/x" names no R5 resource type'])
    b = copy.deepcopy(tx)
    b['id'] = 't1'
    del b['entry'][0]['request']
    b['entry'][2]['fullUrl'] = b['entry'][1]['fullUrl']
    case('tx', b, [
        'tx.json: Bundle/t1: Bundle.entry[0].request.method: transaction entry needs '
        'request.method (bdl-3c)',
        'tx.json: Bundle/t1: Bundle.entry[2].fullUrl: duplicate fullUrl '
        '"urn:uuid:22222222-2222-4222-8222-222222222222" (bdl-7)'])
    case('lines', [hr, {'resourceType': 'Observation', 'id': 'n2', 'status': 'final',
                        'code': {'text': 'x'}, 'valueString': 7}], [
        'lines.ndjson:2: Observation/n2: Observation.valueString: must be of type string'],
        ndjson=True)
    return cases


def main():
    # the samples live in the tree (samples/): missing ones are a broken checkout, not a skip
    if not os.path.isdir(SAMPLES):
        print('1..1')
        print(f'not ok 1 - FHIR samples not found at {SAMPLES!r}')
        return 1
    samples = sorted(f for f in os.listdir(SAMPLES) if f.endswith('.json'))
    good = [f for f in samples if not f.startswith('bad')]
    check(f'{len(samples)} samples found, 4 bad ones among them',
          len(samples) >= 14 and sorted(BAD_SAMPLES) == [f for f in samples if f.startswith('bad')])
    for name in good:
        expect(f'sample {name} is valid', [name], SAMPLES, 0, [])
    for name, lines in BAD_SAMPLES.items():
        expect(f'sample {name} fails', [name], SAMPLES, 1, lines)
    expect('all samples in one run', samples, SAMPLES, 1,
           [l for n in samples for l in BAD_SAMPLES.get(n, [])])
    with tempfile.TemporaryDirectory() as tmp:
        for name, file, lines in semantic_cases(tmp):
            expect(f'semantic case {name}', [file], tmp, 1 if lines else 0, lines)
        with open(os.path.join(tmp, 'broken.json'), 'w', encoding='utf-8') as f:
            f.write('{"resourceType": ')
        rc, got = run(['broken.json', 'missing.json'], tmp)
        check('unparsable and missing files are errors',
              rc == 1 and len(got) == 2 and got[0].startswith('broken.json: (unparsed): (root): invalid JSON')
              and got[1] == 'missing.json: (file): (root): cannot read: ENOENT', '\n'.join(got))
    print(f'1..{len(results)}')
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {i} - {name}')
        if not ok:
            for line in detail.splitlines():
                print(f'# {line}')
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
