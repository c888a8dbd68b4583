'use strict';
/**
 * The framework's ceiling: a bare NestJS 11 hello-world on the project's own @nestjs/core and
 * platform-express (same Node, same node_modules), one GET route answering a small JSON body.
 * Plain JavaScript with the decorators applied by hand, so the harness needs no build step for
 * it. Port from PORT; logs at warn and above, like the API under test.
 */
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

class HelloController {
  hello() {
    return { hello: 'world' };
  }
}
Reflect.decorate([Get('hello')], HelloController.prototype, 'hello', Object.getOwnPropertyDescriptor(HelloController.prototype, 'hello'));
Reflect.decorate([Controller()], HelloController);

class ReferenceModule {}
Reflect.decorate([Module({ controllers: [HelloController] })], ReferenceModule);

async function main() {
  const app = await NestFactory.create(ReferenceModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT), '127.0.0.1');
}

main().catch((error) => {
  console.error(`reference server failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
