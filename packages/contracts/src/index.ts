/** The API's contracts: TypeScript types for every GraphQL type, input and enum (generated). */
export * from './generated';
