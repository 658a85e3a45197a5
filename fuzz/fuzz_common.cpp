#include "fuzz_common.h"

#include <cstdlib>

namespace eksir::fuzz {

const std::vector<std::string>& fixed_events() {
  static const std::vector<std::string> events = {
      // CloudTrail: an access entry made for a role of another account.
      R"j({
  "eventVersion": "1.09",
  "userIdentity": {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLE:alice",
    "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    "accountId": "111122223333",
    "accessKeyId": "ASIAEXAMPLE",
    "sessionContext": {
      "sessionIssuer": {
        "type": "Role",
        "arn": "arn:aws:iam::111122223333:role/Admin",
        "userName": "Admin"
      },
      "attributes": {
        "creationDate": "2026-03-14T08:55:02Z",
        "mfaAuthenticated": "false"
      }
    }
  },
  "eventTime": "2026-03-14T09:12:31Z",
  "eventSource": "eks.amazonaws.com",
  "eventName": "CreateAccessEntry",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "203.0.113.10",
  "userAgent": "aws-cli/2.15.30",
  "requestParameters": {
    "name": "prod",
    "principalArn": "arn:aws:iam::444455556666:role/ext",
    "kubernetesGroups": [
      "system:masters"
    ]
  },
  "responseElements": null,
  "errorCode": null,
  "requestID": "r-1",
  "eventID": "e-1",
  "readOnly": false,
  "eventType": "AwsApiCall",
  "managementEvent": true,
  "recipientAccountId": "111122223333"
})j",
      // Kubernetes audit: a privileged pod with a hostPath volume, by an IAM-mapped user.
      R"j({
  "kind": "Event",
  "apiVersion": "audit.k8s.io/v1",
  "level": "RequestResponse",
  "auditID": "a-1",
  "stage": "ResponseComplete",
  "requestURI": "/api/v1/namespaces/default/pods",
  "verb": "create",
  "user": {
    "username": "kubernetes-admin",
    "uid": "aws-iam-authenticator:1:X",
    "groups": [
      "system:masters",
      "system:authenticated"
    ],
    "extra": {
      "arn": [
        "arn:aws:sts::111122223333:assumed-role/Admin/alice"
      ],
      "accessKeyId": [
        "ASIAEXAMPLE"
      ],
      "sessionName": [
        "alice"
      ]
    }
  },
  "sourceIPs": [
    "198.51.100.7"
  ],
  "userAgent": "kubectl/v1.29.0",
  "objectRef": {
    "resource": "pods",
    "namespace": "default",
    "name": "x",
    "apiVersion": "v1"
  },
  "responseStatus": {
    "metadata": {},
    "code": 201
  },
  "requestObject": {
    "kind": "Pod",
    "apiVersion": "v1",
    "metadata": {
      "name": "x",
      "namespace": "default"
    },
    "spec": {
      "hostPID": true,
      "hostNetwork": true,
      "volumes": [
        {
          "name": "root",
          "hostPath": {
            "path": "/"
          }
        }
      ],
      "containers": [
        {
          "name": "c",
          "image": "docker.io/attacker/miner:1",
          "securityContext": {
            "privileged": true,
            "capabilities": {
              "add": [
                "SYS_ADMIN"
              ]
            }
          },
          "volumeMounts": [
            {
              "name": "root",
              "mountPath": "/host"
            }
          ]
        }
      ]
    }
  },
  "requestReceivedTimestamp": "2026-03-14T09:13:00.100000Z",
  "stageTimestamp": "2026-03-14T09:13:00.200000Z",
  "annotations": {
    "authorization.k8s.io/decision": "allow",
    "authorization.k8s.io/reason": ""
  }
})j",
      // GuardDuty: an EKS finding (camelCase, as EventBridge and the console export it).
      R"j({
  "schemaVersion": "2.0",
  "accountId": "111122223333",
  "region": "us-east-1",
  "id": "g-1",
  "arn": "arn:aws:guardduty:us-east-1:111122223333:detector/d/finding/g-1",
  "type": "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
  "severity": 8,
  "createdAt": "2026-03-14T09:14:00.000Z",
  "updatedAt": "2026-03-14T09:14:00.000Z",
  "title": "Privileged container",
  "description": "A privileged container was launched.",
  "resource": {
    "resourceType": "EKSCluster",
    "eksClusterDetails": {
      "name": "prod",
      "arn": "arn:aws:eks:us-east-1:111122223333:cluster/prod"
    },
    "kubernetesDetails": {
      "kubernetesUserDetails": {
        "username": "kubernetes-admin",
        "groups": [
          "system:masters"
        ]
      },
      "kubernetesWorkloadDetails": {
        "name": "x",
        "type": "pods",
        "namespace": "default",
        "containers": [
          {
            "name": "c",
            "image": "docker.io/attacker/miner:1",
            "securityContext": {
              "privileged": true
            }
          }
        ]
      }
    }
  },
  "service": {
    "serviceName": "guardduty",
    "action": {
      "actionType": "KUBERNETES_API_CALL",
      "kubernetesApiCallAction": {
        "verb": "create",
        "requestUri": "/api/v1/namespaces/default/pods",
        "remoteIpDetails": {
          "ipAddressV4": "198.51.100.7"
        }
      }
    },
    "additionalInfo": {
      "sample": false
    },
    "count": 1
  }
})j",
      // Falco: a k8s_audit alert with output fields.
      R"j({
  "output": "09:15:00.000000000: Warning Pod started with privileged container (user=alice)",
  "priority": "Warning",
  "rule": "Create Privileged Pod",
  "source": "k8saudit",
  "time": "2026-03-14T09:15:00.000000000Z",
  "hostname": "falco-0",
  "tags": [
    "k8s",
    "T1611"
  ],
  "output_fields": {
    "ka.user.name": "alice",
    "ka.target.namespace": "default",
    "ka.target.name": "x",
    "ka.req.pod.containers.image": "docker.io/attacker/miner:1",
    "k8s.ns.name": "default",
    "k8s.pod.name": "x",
    "container.id": "abc",
    "proc.cmdline": "sh -c id",
    "user.name": "root",
    "evt.time": 1773479700000000000
  }
})j",
      // OCSF: a detection finding from an EDR.
      R"j({
  "class_uid": 2004,
  "class_name": "Detection Finding",
  "category_uid": 2,
  "activity_id": 1,
  "type_uid": 200401,
  "severity_id": 4,
  "severity": "High",
  "time": 1773479760000,
  "metadata": {
    "version": "1.1.0",
    "product": {
      "name": "edr",
      "vendor_name": "example"
    },
    "uid": "o-1"
  },
  "finding_info": {
    "uid": "f-1",
    "title": "Crypto miner",
    "types": [
      "Miner"
    ],
    "analytic": {
      "name": "miner",
      "type_id": 1
    }
  },
  "device": {
    "hostname": "ip-10-0-1-5",
    "ip": "10.0.1.5",
    "instance_uid": "i-0abc"
  },
  "process": {
    "pid": 42,
    "name": "xmrig",
    "cmd_line": "xmrig -o pool:443",
    "file": {
      "path": "/tmp/xmrig"
    }
  },
  "status_id": 1
})j",
  };
  return events;
}

void for_each_fixed_event(const std::function<void(const EventView&)>& fn) {
  for (const auto& json : fixed_events()) {
    std::string err = rules::classify_json(json, fn);
    if (!err.empty())
      std::abort();  // the events above are read; a change that breaks them is
                     // a harness bug, not a finding
  }
}

void run_rules(const std::vector<rules::Rule>& loaded, bool tests) {
  detect::EngineOptions options;
  detect::Engine engine(loaded, options);
  for_each_fixed_event([&](const EventView& ev) { engine.on_event(ev, 0); });
  for (const auto& f : engine.finish()) detect::finding_json(f);
  if (!tests) return;
  for (const auto& r : loaded)
    if (!r.positive.empty() || !r.negative.empty()) detect::test_rule(r);
}

}  // namespace eksir::fuzz
