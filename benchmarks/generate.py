"""Write realistic CloudTrail NDJSON of any size, the same bytes for the same seed.

Usage: python -m benchmarks.generate --records 1000000 [--seed 7] [OUT]
(default OUT: benchmarks/data/cloudtrail_<records>_<seed>.ndjson; about 0.9 GB a million records)

The traffic: a few AWS accounts; IAM users, assumed-role sessions (CI, lambdas, SSO), AWS services
and the odd root login; a weighted mix of S3, EC2, IAM, STS, KMS, Lambda, CloudWatch Logs,
DynamoDB, Bedrock and console events; about 4% of calls fail (AccessDenied, throttling, ...).
A few Bedrock probers call ListFoundationModels in bursts and are denied: what the seed detection
finds. Some records carry what a pre-filter must not trip over: ``\\/`` and ``\\u`` escapes
(one prober's event names are written with ``\\u`` escapes, so their raw text lacks the literal
name), non-ASCII names, policies as escaped JSON strings, and records longer than Splunk's
5000-byte extraction cutoff.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import orjson

DATA = Path(__file__).resolve().parent / "data"
START = 1772323200  # 2026-03-01T00:00:00Z
REGIONS = ["us-east-1"] * 6 + ["us-west-2"] * 3 + ["eu-west-1", "eu-central-1", "ap-southeast-2"]
ERRORS = [("AccessDenied", "User: {arn} is not authorized to perform: {action} on resource: {res}"),
          ("AccessDenied", "User: {arn} is not authorized to perform: {action} because no "
                           "identity-based policy allows the {action} action"),
          ("ThrottlingException", "Rate exceeded"),
          ("ResourceNotFoundException", "Requested resource not found"),
          ("ValidationException", "1 validation error detected"),
          ("NoSuchEntity", "The user with name {name} cannot be found."),
          ("Client.UnauthorizedOperation", "You are not authorized to perform this operation.")]
AGENTS = ["aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off",
          "Boto3/1.34.70 md/Botocore#1.34.70 ua/2.0 os/linux#5.10.210 md/arch#x86_64 lang/python#3.11.6",
          "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
          "aws-sdk-java/2.25.11 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/122.0.0.0 Safari/537.36",
          "console.amazonaws.com", "Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.41.0",
          "[aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1]"]
# (eventSource, eventName, readOnly, weight, kind of request parameters)
EVENTS = [
    ("s3.amazonaws.com", "GetObject", True, 160, "object"),
    ("s3.amazonaws.com", "PutObject", False, 70, "object"),
    ("s3.amazonaws.com", "ListBuckets", True, 8, None),
    ("s3.amazonaws.com", "GetBucketAcl", True, 10, "bucket"),
    ("s3.amazonaws.com", "GetBucketPolicy", True, 6, "bucket"),
    ("s3.amazonaws.com", "PutBucketPolicy", False, 1, "policy"),
    ("ec2.amazonaws.com", "DescribeInstances", True, 60, None),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", True, 25, None),
    ("ec2.amazonaws.com", "RunInstances", False, 3, "instances"),
    ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", False, 2, "group"),
    ("ec2.amazonaws.com", "DescribeVolumes", True, 15, None),
    ("iam.amazonaws.com", "ListRoles", True, 10, None),
    ("iam.amazonaws.com", "GetUser", True, 8, "user"),
    ("iam.amazonaws.com", "ListAccessKeys", True, 6, "user"),
    ("iam.amazonaws.com", "CreateAccessKey", False, 1, "user"),
    ("iam.amazonaws.com", "CreateUser", False, 0.5, "user"),
    ("iam.amazonaws.com", "PutRolePolicy", False, 0.5, "policy"),
    ("sts.amazonaws.com", "AssumeRole", True, 50, "role"),
    ("sts.amazonaws.com", "GetCallerIdentity", True, 30, None),
    ("kms.amazonaws.com", "Decrypt", True, 90, "key"),
    ("kms.amazonaws.com", "GenerateDataKey", True, 40, "key"),
    ("lambda.amazonaws.com", "Invoke", False, 35, "function"),
    ("lambda.amazonaws.com", "GetFunction", True, 8, "function"),
    ("logs.amazonaws.com", "CreateLogStream", False, 30, "logs"),
    ("logs.amazonaws.com", "DescribeLogGroups", True, 10, None),
    ("dynamodb.amazonaws.com", "DescribeTable", True, 20, "table"),
    ("monitoring.amazonaws.com", "GetMetricData", True, 25, None),
    ("cloudtrail.amazonaws.com", "LookupEvents", True, 4, None),
    ("bedrock.amazonaws.com", "InvokeModel", True, 12, "model"),
    ("bedrock.amazonaws.com", "ListFoundationModels", True, 2, None),
    ("bedrock.amazonaws.com", "GetFoundationModel", True, 1, "model"),
    ("signin.amazonaws.com", "ConsoleLogin", False, 2, "console"),
]
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "autoscaling.amazonaws.com",
            "elasticloadbalancing.amazonaws.com", "config.amazonaws.com", "cloudformation.amazonaws.com"]


class World:
    """Accounts, principals and resources drawn once from the seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.accounts = [f"{rng.randrange(10**11, 10**12)}" for _ in range(4)]
        first = ["maria", "li", "omar", "sofia", "ivan", "aiko", "noah", "zoe", "ravi", "eva",
                 "tom", "ana", "kofi", "lena", "yusuf", "mei"]
        last = ["lopez", "wang", "haddad", "rossi", "petrov", "sato", "smith", "brown", "iyer",
                "novak", "jones", "silva", "mensah", "berg", "demir", "chen"]
        self.users = []
        for k in range(240):
            name = f"{rng.choice(first)}.{rng.choice(last)}{k % 7 or ''}"
            if k == 17:
                name = "jos\u00e9.mart\u00ednez"  # non-ASCII user name
            acct = rng.choice(self.accounts)
            self.users.append({
                "type": "IAMUser", "principalId": f"AIDA{rng.randrange(16**16):016X}",
                "arn": f"arn:aws:iam::{acct}:user/{name}", "accountId": acct,
                "accessKeyId": f"AKIA{rng.randrange(16**16):016X}", "userName": name})
        roles = ["ci-deployer", "lambda-exec-orders", "lambda-exec-billing", "AWSReservedSSO_Admin_9f2c",
                 "AWSReservedSSO_ReadOnly_1a7e", "eks-node-group", "data-pipeline", "backup-operator",
                 "OrganizationAccountAccessRole", "security-audit"]
        self.roles = []
        for r in roles:
            for acct in self.accounts:
                self.roles.append((r, acct, f"AROA{rng.randrange(16**16):016X}"))
        self.buckets = [f"{w}-{rng.randrange(1000, 9999)}" for w in
                        ("logs", "assets", "backups", "datalake", "artifacts", "web", "reports")]
        self.models = ["anthropic.claude-3-sonnet-20240229-v1:0", "amazon.titan-text-express-v1",
                       "meta.llama3-70b-instruct-v1:0", "cohere.command-r-v1:0"]
        self.ips = [f"{rng.choice([10, 172, 198, 203, 54, 3])}.{rng.randrange(256)}."
                    f"{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(400)]
        # probers: a user or role that keeps asking Bedrock for its model list and is denied
        self.probers = [(self.user(), rng.choice(self.ips), rng.choice(AGENTS[:3])) for _ in range(3)]
        self.probers += [(self.session(), rng.choice(self.ips), AGENTS[1]) for _ in range(2)]

    def user(self) -> dict:
        return self.rng.choice(self.users)

    def session(self) -> dict:
        rng = self.rng
        role, acct, rid = rng.choice(self.roles)
        sess = f"{role.split('_')[0].lower()}-{rng.randrange(10**6)}"
        return {
            "type": "AssumedRole", "principalId": f"{rid}:{sess}",
            "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{sess}", "accountId": acct,
            "accessKeyId": f"ASIA{rng.randrange(16**16):016X}",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": rid,
                                  "arn": f"arn:aws:iam::{acct}:role/{role}", "accountId": acct,
                                  "userName": role},
                "webIdFederationData": {},
                "attributes": {"creationDate": "2026-03-01T00:00:00Z",
                               "mfaAuthenticated": rng.choice(["false", "true"])}}}

    def principal(self) -> tuple[dict, str, str]:
        rng = self.rng
        x = rng.random()
        if x < 0.38:
            ident = self.session()
        elif x < 0.85:
            ident = self.user()
        elif x < 0.998:
            svc = rng.choice(SERVICES)
            return {"type": "AWSService", "invokedBy": svc}, svc, svc
        else:
            acct = rng.choice(self.accounts)
            ident = {"type": "Root", "principalId": acct, "arn": f"arn:aws:iam::{acct}:root",
                     "accountId": acct}
        return ident, rng.choice(self.ips), rng.choice(AGENTS)


def _uuid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


def _params(world: World, kind, ident) -> tuple[dict | None, dict | None]:
    rng = world.rng
    if kind is None:
        return None, None
    if kind == "object":
        b = rng.choice(world.buckets)
        return {"bucketName": b, "Host": f"{b}.s3.amazonaws.com",
                "key": f"data/{rng.randrange(2020, 2027)}/{rng.randrange(1, 13):02d}/part-{rng.randrange(10**5):05d}.parquet"}, None
    if kind == "bucket":
        b = rng.choice(world.buckets)
        return {"bucketName": b, "Host": f"{b}.s3.amazonaws.com", "acl": ""}, None
    if kind == "policy":
        doc = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{rng.choice(world.accounts)}:root"},
             "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{rng.choice(world.buckets)}/*"}]}
        # policies travel as JSON text inside the record: escaped quotes
        return {"policyName": "inline-access", "policyDocument": json.dumps(doc)}, None
    if kind == "instances":
        return ({"instancesSet": {"items": [{"imageId": f"ami-{rng.getrandbits(64):016x}", "minCount": 1, "maxCount": 1}]},
                 "instanceType": rng.choice(["t3.micro", "m5.large", "c6i.xlarge"])},
                {"instancesSet": {"items": [{"instanceId": f"i-{rng.getrandbits(64):016x}", "currentState": {"code": 0, "name": "pending"}}]}})
    if kind == "group":
        return {"groupId": f"sg-{rng.getrandbits(64):016x}", "ipPermissions": {"items": [
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}, {"_return": True}
    if kind == "user":
        u = world.user()
        return {"userName": u["userName"]}, None
    if kind == "role":
        role, acct, _ = rng.choice(world.roles)
        sess = f"session-{rng.randrange(10**6)}"
        return ({"roleArn": f"arn:aws:iam::{acct}:role/{role}", "roleSessionName": sess, "durationSeconds": 3600},
                {"credentials": {"accessKeyId": f"ASIA{rng.randrange(16**16):016X}", "sessionToken": "IQoJb3JpZ2luX2VjE" + "x" * 40,
                                 "expiration": "Mar 9, 2026, 3:00:00 PM"},
                 "assumedRoleUser": {"assumedRoleId": f"AROA{rng.randrange(16**16):016X}:{sess}",
                                     "arn": f"arn:aws:sts::{acct}:assumed-role/{role}/{sess}"}})
    if kind == "key":
        acct = rng.choice(world.accounts)
        return {"keyId": f"arn:aws:kms:us-east-1:{acct}:key/{_uuid(rng)}",
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                "encryptionContext": {"aws:lambda:FunctionArn": f"arn:aws:lambda:us-east-1:{acct}:function:orders-api"}}, None
    if kind == "function":
        return {"functionName": rng.choice(["orders-api", "billing-sync", "thumbnailer", "auth-hook"])}, None
    if kind == "logs":
        return {"logGroupName": f"/aws/lambda/{rng.choice(['orders-api', 'billing-sync'])}",
                "logStreamName": f"2026/03/0{rng.randrange(1, 9)}/[$LATEST]{rng.getrandbits(128):032x}"}, None
    if kind == "table":
        return {"tableName": rng.choice(["orders", "sessions", "inventory"])}, None
    if kind == "model":
        return {"modelId": rng.choice(world.models)}, None
    if kind == "console":
        return None, {"ConsoleLogin": rng.choice(["Success"] * 9 + ["Failure"])}
    raise ValueError(kind)


def record(world: World, t: float, forced=None) -> dict:
    """One CloudTrail record at time t; ``forced`` = (identity, ip, agent, source, name, error)."""
    rng = world.rng
    if forced is None:
        src, name, ro, _, kind = rng.choices(EVENTS, weights=WEIGHTS)[0]
        ident, ip, agent = world.principal()
        error = rng.choices(ERRORS)[0] if rng.random() < 0.04 else None
    else:
        ident, ip, agent, src, name, error = forced
        ro, kind = True, None
    req, resp = _params(world, kind, ident)
    region = rng.choice(REGIONS) if forced is None else "us-east-1"
    acct = ident.get("accountId") or rng.choice(world.accounts)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + "Z"
    rec = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": stamp,
           "eventSource": src, "eventName": name, "awsRegion": region, "sourceIPAddress": ip,
           "userAgent": agent, "requestParameters": req, "responseElements": resp}
    if error is not None:
        code, text = error
        rec["errorCode"] = code
        rec["errorMessage"] = text.format(arn=ident.get("arn", "unknown"),
                                          action=f"{src.split('.')[0]}:{name}",
                                          res=f"arn:aws:{src.split('.')[0]}:{region}:{acct}:*",
                                          name=ident.get("userName", "unknown"))
        if error[0] == "AccessDenied":
            rec["responseElements"] = None
    rec.update({"requestID": _uuid(rng), "eventID": _uuid(rng), "readOnly": ro,
                "eventType": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
                "managementEvent": True, "recipientAccountId": acct, "eventCategory": "Management",
                "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256"}})
    if ident.get("type") == "AWSService":
        rec["sharedEventID"] = _uuid(rng)
    return rec


WEIGHTS = [e[3] for e in EVENTS]


def generate(out: Path, records: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    world = World(rng)
    span = 7 * 86400
    step = span / max(records, 1)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    bursts = {}  # record index -> prober number: ~0.05% of records, in runs of 12-40
    k = 0
    while len(bursts) < max(records // 2000, 200) and records > 400:
        start = rng.randrange(records)
        p = k % len(world.probers)
        for j in range(rng.randrange(12, 40)):
            bursts[min(start + j * rng.randrange(1, 40), records - 1)] = p
        k += 1
    with open(tmp, "wb") as f:
        buf = []
        for i in range(records):
            t = START + i * step + rng.random() * step
            p = bursts.get(i)
            if p is not None:
                ident, ip, agent = world.probers[p]
                rec = record(world, t, (ident, ip, agent, "bedrock.amazonaws.com",
                                        "ListFoundationModels", ERRORS[1]))
            else:
                rec = record(world, t)
            line = orjson.dumps(rec)
            if p == 4:
                # the last prober's records spell their event name with \u escapes
                line = line.replace(b'"ListFoundationModels"', b'"List\\u0046oundation\\u004dodels"')
            elif i % 997 == 0:
                line = line.replace(b"/", b"\\/")      # \/ is a legal escape of /
            elif i % 1009 == 0:
                line = json.dumps(rec, ensure_ascii=True).encode()  # \u00e9 and friends
            elif i % 50021 == 0:
                rec["requestParameters"] = {"padding": "x" * 6000, **(rec["requestParameters"] or {})}
                line = orjson.dumps(rec)                # beyond the 5000-byte extraction cutoff
            buf.append(line)
            if len(buf) >= 10000:
                f.write(b"\n".join(buf) + b"\n")
                buf.clear()
        if buf:
            f.write(b"\n".join(buf) + b"\n")
    tmp.replace(out)
    return out


def default_path(records: int, seed: int) -> Path:
    return DATA / f"cloudtrail_{records}_{seed}.ndjson"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    out = args.out or default_path(args.records, args.seed)
    t0 = time.perf_counter()
    generate(out, args.records, args.seed)
    print(f"{out}: {args.records} records, {out.stat().st_size / 1e6:.0f} MB "
          f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
