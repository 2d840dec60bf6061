// The operations the form sends. `npm run codegen` reads them and writes their types to
// src/gql/ (not committed).
import { graphql } from './gql';

export const CreateLead = graphql(`
  mutation CreateLead($input: CreateLeadInput!) {
    createLead(input: $input) {
      success
      lead {
        id
        firstName
        lastName
        email
        phoneNumber
        status
        createdAt
      }
      checklistItems {
        id
        name
        items {
          id
          status
          value
          checklistItem {
            code
            label
            isRequired
          }
        }
      }
      matchingLeads {
        id
        firstName
        lastName
        email
        phoneNumber
        createdAt
      }
    }
  }
`);
