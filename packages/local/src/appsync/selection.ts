/**
 * Selection-set helpers: the `info.selectionSetList`/`selectionSetGraphQL` AppSync gives a resolver,
 * and the reshaping of a mutation's response into the payload published to subscribers.
 */
import { Kind, print, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { isRecord } from './json';

/** Fragment definitions of a document, by name. */
export type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/**
 * The flat list of selected paths below a field, nested ones as `parent/child`. Fragments are
 * expanded in place; an aliased field is listed under its alias (as AppSync documents).
 */
export function selectionSetList(
  selectionSet: SelectionSetNode | undefined,
  fragments: Fragments,
  prefix = '',
): string[] {
  const list: string[] = [];
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      const name = `${prefix}${(selection.alias ?? selection.name).value}`;
      list.push(name, ...selectionSetList(selection.selectionSet, fragments, `${name}/`));
    } else {
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.selectionSet
          : fragments[selection.name.value]?.selectionSet;
      list.push(...selectionSetList(inner, fragments, prefix));
    }
  }
  return [...new Set(list)];
}

/** The selection set as GraphQL text, fragments kept as written; `''` for a leaf field. */
export function selectionSetGraphQL(field: FieldNode): string {
  return field.selectionSet ? print(field.selectionSet) : '';
}

/**
 * Re-keys a field's response value from response keys (aliases) to field names, keeping only what
 * the selection set selected. This is the mutation payload AppSync publishes: the mutation's
 * selection set, by field name.
 */
export function byFieldName(selectionSet: SelectionSetNode | undefined, value: unknown, fragments: Fragments): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => byFieldName(selectionSet, item, fragments));
  }
  if (!selectionSet || !isRecord(value)) {
    return value;
  }
  const shaped: Record<string, unknown> = {};
  copySelected(selectionSet, value, fragments, shaped);
  return shaped;
}

function copySelected(
  selectionSet: SelectionSetNode,
  value: Record<string, unknown>,
  fragments: Fragments,
  into: Record<string, unknown>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const key = (selection.alias ?? selection.name).value;
      if (key in value && !(selection.name.value in into)) {
        into[selection.name.value] = byFieldName(selection.selectionSet, value[key], fragments);
      }
    } else {
      const inner =
        selection.kind === Kind.INLINE_FRAGMENT
          ? selection.selectionSet
          : fragments[selection.name.value]?.selectionSet;
      if (inner) {
        copySelected(inner, value, fragments, into);
      }
    }
  }
}
