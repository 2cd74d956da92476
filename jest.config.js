/** Jest runs in ESM mode (NestJS 12 is ESM-only): see ../shared/TOOLCHAIN.md. */
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The sample and its tests import the package by name, as an app would; map it to the sources.
    '^nestjs-polar$': '<rootDir>/lib/index.ts',
    '^nestjs-polar/(config|testing)$': '<rootDir>/lib/$1/index.ts',
  },
  transform,
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/lib/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // The starter apps' own tests run inside those apps, with their own runners (test/compat).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/compat/(app|nest[^/]+)/'],
    },
  ],
};
