import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';

/** Latest Node.js runtime this CDK version offers. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;
/** esbuild target matching {@link LAMBDA_RUNTIME}. */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM bundles with CommonJS dependencies inside (the AWS SDK among them) call `require` for Node
 * built-ins; ESM has none, so the bundle creates one first.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire as __sbCreateRequire } from 'node:module'; const require = __sbCreateRequire(import.meta.url);";

export interface HubFunctionProps {
  /** Handler module path from the project root (`functions/<vendor>/handlers/x.ts`); its export is `handler`. */
  readonly entry: string;
  readonly description: string;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** @default 512 */
  readonly memoryMb?: number;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Project root holding package.json and the lock file. */
  readonly projectRoot: string;
  /** Write the static-asset folder (`infra/openapi/assets.ts`) into the bundle as `static/`. @default false */
  readonly staticAssets?: boolean;
  /**
   * Map stack traces in logs to the TypeScript sources at run time (`NODE_OPTIONS=--enable-source-maps`).
   * Node then reads and indexes the bundle's source map on every cold start: measured (`npm run bench
   * -- cold`) at about 40-90 ms more CPU per cold start, more for the larger bundles. Off, the `.map`
   * file still ships beside the bundle, so a trace can be mapped afterwards. @default false
   */
  readonly sourceMapTraces?: boolean;
}

/**
 * A hub Lambda with the project's defaults: latest Node runtime, arm64, minified ESM bundle with
 * source maps (applied at run time only with `sourceMapTraces`) and a `require` shim, its own log group with retention, JSON logs, X-Ray tracing.
 */
export class HubFunction extends Construct {
  public readonly fn: NodejsFunction;
  public readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HubFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(props.projectRoot, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: Duration.seconds(props.timeoutSeconds ?? 30),
      memorySize: props.memoryMb ?? 512,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      environment: {
        ...(props.sourceMapTraces ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle the SDK too: the version we test is the version that runs, and cold start reads one file.
        externalModules: [],
        forceDockerBundling: false,
        ...(props.staticAssets
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                // The same writer the local runtime uses, run by the Node running the synth.
                afterBundling: (_inputDir: string, outputDir: string) => [
                  `"${process.execPath}" "${join(props.projectRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs')}" "${join(props.projectRoot, 'infra', 'openapi', 'write-assets.ts')}" "${join(outputDir, 'static')}"`,
                ],
              },
            }
          : {}),
      },
    });
  }
}
