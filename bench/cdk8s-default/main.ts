// The reference for `npm run bench`: the project `cdk8s init typescript-app` creates (its
// main.ts, tsconfig.json and cdk8s.yaml), with a chart of two Deployments. The L1 classes come
// from cdk8s-plus-28's copy of `cdk8s import k8s@1.28`, so no import is needed at bench time.
import { Construct } from 'constructs';
import { App, Chart, ChartProps } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);

    for (const name of ['hello', 'world']) {
      const label = { app: name };
      new k8s.KubeDeployment(this, name, {
        spec: {
          replicas: 2,
          selector: { matchLabels: label },
          template: {
            metadata: { labels: label },
            spec: {
              containers: [{ name, image: 'paulbouwer/hello-kubernetes:1.10', ports: [{ containerPort: 8080 }] }],
            },
          },
        },
      });
    }
  }
}

const app = new App();
new MyChart(app, 'cdk8s-default');
app.synth();
