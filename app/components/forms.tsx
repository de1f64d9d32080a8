import { useRouteLoaderData } from '@remix-run/react';
import type { ReactNode } from 'react';

/** The CSRF token from the root loader, as a hidden field. Put one in every mutating form. */
export function CsrfInput() {
  const data = useRouteLoaderData<{ csrf: string }>('root');
  return <input type="hidden" name="csrf" value={data?.csrf ?? ''} />;
}

export function Field(props: {
  label: string;
  name: string;
  type?: string;
  defaultValue?: string;
  error?: string;
  required?: boolean;
  autoComplete?: string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  help?: ReactNode;
  autoFocus?: boolean;
}) {
  const id = `field-${props.name}`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        defaultValue={props.defaultValue}
        required={props.required}
        autoComplete={props.autoComplete}
        minLength={props.minLength}
        maxLength={props.maxLength}
        pattern={props.pattern}
        autoFocus={props.autoFocus}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? errorId : undefined}
      />
      {props.help ? <div className="help">{props.help}</div> : null}
      {props.error ? (
        <div className="field-error" id={errorId} role="alert">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

export function FormError({ message }: { message?: string | null }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      {message}
    </div>
  );
}
