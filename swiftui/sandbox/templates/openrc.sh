#!/bin/bash
# swiftui sandbox: same shape as the openrc.sh the OVHcloud Control Panel hands out.
export OS_AUTH_URL={auth_url}/
export OS_IDENTITY_API_VERSION=3
export OS_USER_DOMAIN_NAME=${{OS_USER_DOMAIN_NAME:-"Default"}}
export OS_PROJECT_DOMAIN_NAME=${{OS_PROJECT_DOMAIN_NAME:-"Default"}}
export OS_TENANT_ID={project_id}
export OS_TENANT_NAME="{project_name}"
export OS_USERNAME="{username}"
echo "Please enter your OpenStack Password: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
export OS_REGION_NAME="{region}"
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
