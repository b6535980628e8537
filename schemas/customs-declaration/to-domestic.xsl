<?xml version="1.0" encoding="UTF-8"?>
<!--
  swnode: customs declaration, international -> domestic.

  Input:  md:MetaData wrapping a WCO Data Model 3.6 Declaration (DEC-DMS:2),
          valid against the published schema (wco/WCO_DEC_with_MetaData.xsd)
          and passing the profile rules (profile.sch).
  Output: cd:CustomsDeclaration (urn:swnode:domestic:customs-declaration:1),
          valid against domestic.xsd.

  A pure function of the input: no parameters, no dates, no extensions.
  Every value is whitespace-normalised; codes are upper-cased.  A value
  that does not fit its domestic type is left out (and so is a group that
  is left empty, or a sequenced line whose number is not a positive whole
  number or repeats an earlier one): the node's loss report, which compares
  the original with original -> domestic -> international, lists each such
  value with its path.  Nothing that does not fit is ever copied, so the
  output is valid whenever the input passes the profile rules.  What the
  domestic profile does not carry at all is listed in
  docs/doctypes/customs-declaration.md ("What is still left out, and why").
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:md="urn:wco:datamodel:WCO:DocumentMetaData-DMS:2"
    xmlns:w="urn:wco:datamodel:WCO:DEC-DMS:2"
    xmlns:p1="urn:wco:datamodel:WCO:Declaration_DS:DMS:2"
    xmlns="urn:swnode:domestic:customs-declaration:1"
    exclude-result-prefixes="md w p1">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="lower" select="'abcdefghijklmnopqrstuvwxyz'"/>
  <xsl:variable name="upper" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"/>
  <xsl:variable name="digits" select="'0123456789'"/>
  <xsl:variable name="alnum" select="concat($upper, $digits)"/>

  <xsl:template match="/">
    <xsl:if test="not(md:MetaData/w:Declaration)">
      <xsl:message terminate="yes">to-domestic: expected md:MetaData (urn:wco:datamodel:WCO:DocumentMetaData-DMS:2) containing a DEC-DMS:2 Declaration</xsl:message>
    </xsl:if>
    <xsl:apply-templates select="md:MetaData"/>
  </xsl:template>

  <!-- ============================== header ============================ -->

  <xsl:template match="md:MetaData">
    <xsl:variable name="d" select="w:Declaration"/>
    <xsl:variable name="gs" select="$d/w:GoodsShipment"/>
    <xsl:variable name="gc" select="$gs/w:Consignment"/>
    <CustomsDeclaration>
      <xsl:call-template name="code"><xsl:with-param name="name" select="'ResponsibleCountryCode'"/><xsl:with-param name="v" select="md:ResponsibleCountryCode"/><xsl:with-param name="min" select="2"/><xsl:with-param name="max" select="2"/><xsl:with-param name="chars" select="$upper"/></xsl:call-template>
      <xsl:call-template name="text"><xsl:with-param name="name" select="'ResponsibleAgencyName'"/><xsl:with-param name="v" select="md:ResponsibleAgencyName"/><xsl:with-param name="max" select="70"/></xsl:call-template>
      <xsl:for-each select="md:AgencyAssignedCustomizationVersionCode">
        <xsl:variable name="s" select="normalize-space(.)"/>
        <xsl:if test="string-length($s) &gt;= 1 and string-length($s) &lt;= 6 and translate($s, concat($alnum, $lower, '.-'), '') = ''">
          <CustomizationVersionCode><xsl:value-of select="$s"/></CustomizationVersionCode>
        </xsl:if>
      </xsl:for-each>
      <FunctionCode><xsl:value-of select="normalize-space($d/w:FunctionCode)"/></FunctionCode>
      <xsl:call-template name="text"><xsl:with-param name="name" select="'FunctionalReference'"/><xsl:with-param name="v" select="$d/w:FunctionalReferenceID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
      <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="$d/w:ID"/><xsl:with-param name="max" select="70"/></xsl:call-template>
      <xsl:call-template name="code"><xsl:with-param name="name" select="'DeclarationTypeCode'"/><xsl:with-param name="v" select="$d/w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
      <xsl:call-template name="datetime"><xsl:with-param name="name" select="'AcceptanceDateTime'"/><xsl:with-param name="v" select="$d/w:AcceptanceDateTime/p1:DateTimeString"/></xsl:call-template>
      <xsl:call-template name="datetime"><xsl:with-param name="name" select="'IssueDateTime'"/><xsl:with-param name="v" select="$d/w:IssueDateTime/p1:DateTimeString"/></xsl:call-template>
      <xsl:call-template name="datetime"><xsl:with-param name="name" select="'DepartureDate'"/><xsl:with-param name="v" select="$gs/w:ExitDateTime/p1:DateTimeString"/></xsl:call-template>
      <xsl:call-template name="integer"><xsl:with-param name="name" select="'GoodsItemQuantity'"/><xsl:with-param name="v" select="$d/w:GoodsItemQuantity"/><xsl:with-param name="min" select="1"/><xsl:with-param name="max" select="999"/></xsl:call-template>
      <xsl:call-template name="integer"><xsl:with-param name="name" select="'TotalPackageQuantity'"/><xsl:with-param name="v" select="$d/w:TotalPackageQuantity"/><xsl:with-param name="min" select="0"/><xsl:with-param name="max" select="99999999"/></xsl:call-template>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'InvoiceAmount'"/><xsl:with-param name="v" select="$d/w:InvoiceAmount"/></xsl:call-template>
      <xsl:call-template name="mass"><xsl:with-param name="name" select="'TotalGrossMass'"/><xsl:with-param name="v" select="$d/w:TotalGrossMassMeasure"/></xsl:call-template>
      <xsl:call-template name="text"><xsl:with-param name="name" select="'DeclarationOfficeId'"/><xsl:with-param name="v" select="$d/w:DeclarationOfficeID"/><xsl:with-param name="max" select="17"/></xsl:call-template>

      <!-- parties -->
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Submitter'"/><xsl:with-param name="p" select="$d/w:Submitter"/></xsl:call-template>
      <Declarant>
        <Id><xsl:value-of select="normalize-space($d/w:Declarant/w:ID)"/></Id>
        <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="$d/w:Declarant/w:Name"/><xsl:with-param name="max" select="70"/></xsl:call-template>
        <xsl:call-template name="address"><xsl:with-param name="a" select="$d/w:Declarant/w:Address"/></xsl:call-template>
      </Declarant>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Agent'"/><xsl:with-param name="p" select="$d/w:Agent"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Exporter'"/><xsl:with-param name="p" select="$d/w:Exporter"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Importer'"/><xsl:with-param name="p" select="$gs/w:Importer"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Consignee'"/><xsl:with-param name="p" select="$gs/w:Consignee"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Consignor'"/><xsl:with-param name="p" select="$d/w:Consignment/w:Consignor"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Buyer'"/><xsl:with-param name="p" select="$gs/w:Buyer"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Seller'"/><xsl:with-param name="p" select="$gs/w:Seller"/></xsl:call-template>
      <xsl:call-template name="party"><xsl:with-param name="name" select="'Carrier'"/><xsl:with-param name="p" select="$d/w:Consignment/w:Carrier"/></xsl:call-template>
      <xsl:for-each select="$d/w:AuthorisationHolder">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'AuthorisationHolder'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="w:CategoryCode"/><xsl:with-param name="max" select="4"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>

      <!-- offices and countries -->
      <xsl:call-template name="text"><xsl:with-param name="name" select="'ExitOfficeId'"/><xsl:with-param name="v" select="$d/w:ExitOffice/w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
      <xsl:call-template name="text"><xsl:with-param name="name" select="'EntryOfficeId'"/><xsl:with-param name="v" select="$d/w:PresentationOffice/w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
      <xsl:call-template name="text"><xsl:with-param name="name" select="'SupervisingOfficeId'"/><xsl:with-param name="v" select="$d/w:SupervisingOffice/w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
      <xsl:call-template name="country"><xsl:with-param name="name" select="'ExportCountryCode'"/><xsl:with-param name="v" select="$gs/w:ExportCountry/w:ID"/></xsl:call-template>
      <xsl:call-template name="country"><xsl:with-param name="name" select="'DestinationCountryCode'"/><xsl:with-param name="v" select="$gs/w:Destination/w:CountryCode"/></xsl:call-template>
      <xsl:call-template name="code"><xsl:with-param name="name" select="'TransactionNatureCode'"/><xsl:with-param name="v" select="$gs/w:TransactionNatureCode"/><xsl:with-param name="max" select="2"/><xsl:with-param name="chars" select="$digits"/></xsl:call-template>

      <!-- transport -->
      <xsl:call-template name="transport"><xsl:with-param name="name" select="'BorderTransportMeans'"/><xsl:with-param name="t" select="$d/w:BorderTransportMeans"/></xsl:call-template>
      <xsl:call-template name="transport"><xsl:with-param name="name" select="'DepartureTransportMeans'"/><xsl:with-param name="t" select="$gc/w:DepartureTransportMeans"/></xsl:call-template>
      <xsl:call-template name="transport"><xsl:with-param name="name" select="'ArrivalTransportMeans'"/><xsl:with-param name="t" select="$gc/w:ArrivalTransportMeans"/></xsl:call-template>
      <xsl:for-each select="$gc/w:ContainerCode[normalize-space(.) = '0' or normalize-space(.) = '1']">
        <Containerised>
          <xsl:choose>
            <xsl:when test="normalize-space(.) = '1'">true</xsl:when>
            <xsl:otherwise>false</xsl:otherwise>
          </xsl:choose>
        </Containerised>
      </xsl:for-each>
      <xsl:for-each select="$gc/w:LoadingLocation/w:ID">
        <xsl:variable name="s" select="translate(normalize-space(.), $lower, $upper)"/>
        <xsl:if test="string-length($s) = 5 and translate(substring($s, 1, 2), $upper, '') = '' and translate(substring($s, 3), concat($upper, '23456789'), '') = ''">
          <LoadingPort><xsl:value-of select="$s"/></LoadingPort>
        </xsl:if>
      </xsl:for-each>
      <xsl:for-each select="$gc/w:GoodsLocation">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'GoodsLocation'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="w:Name"/><xsl:with-param name="max" select="256"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'QualifierCode'"/><xsl:with-param name="v" select="w:Address/w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="country"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="w:Address/w:CountryCode"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$d/w:Consignment/w:Itinerary">
        <xsl:call-template name="sequenced">
          <xsl:with-param name="name" select="'RoutingCountry'"/>
          <xsl:with-param name="siblings" select="preceding-sibling::w:Itinerary"/>
          <xsl:with-param name="content">
            <xsl:call-template name="country"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="w:RoutingCountryCode"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$gc/w:TransportEquipment">
        <xsl:call-template name="sequenced">
          <xsl:with-param name="name" select="'Container'"/>
          <xsl:with-param name="siblings" select="preceding-sibling::w:TransportEquipment"/>
          <xsl:with-param name="content">
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
            <xsl:for-each select="w:Seal">
              <xsl:call-template name="sequenced">
                <xsl:with-param name="name" select="'Seal'"/>
                <xsl:with-param name="siblings" select="preceding-sibling::w:Seal"/>
                <xsl:with-param name="unique" select="false()"/>
                <xsl:with-param name="content">
                  <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
                </xsl:with-param>
              </xsl:call-template>
            </xsl:for-each>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="code"><xsl:with-param name="name" select="'FreightPaymentMethodCode'"/><xsl:with-param name="v" select="$d/w:Consignment/w:Freight/w:PaymentMethodCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>

      <!-- value, payment, warehouse -->
      <xsl:for-each select="$gs/w:TradeTerms">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'TradeTerms'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'ConditionCode'"/><xsl:with-param name="v" select="w:ConditionCode"/><xsl:with-param name="min" select="3"/><xsl:with-param name="max" select="3"/><xsl:with-param name="chars" select="$upper"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'CountryRelationshipCode'"/><xsl:with-param name="v" select="w:CountryRelationshipCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Description'"/><xsl:with-param name="v" select="w:Description"/><xsl:with-param name="max" select="70"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'LocationId'"/><xsl:with-param name="v" select="w:LocationID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'LocationName'"/><xsl:with-param name="v" select="w:LocationName"/><xsl:with-param name="max" select="256"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:CustomsValuation">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'CustomsValuation'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'FreightCharge'"/><xsl:with-param name="v" select="w:FreightChargeAmount"/></xsl:call-template>
            <xsl:apply-templates select="w:ChargeDeduction"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$d/w:CurrencyExchange">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'CurrencyExchange'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'CurrencyCode'"/><xsl:with-param name="v" select="w:CurrencyTypeCode"/><xsl:with-param name="min" select="3"/><xsl:with-param name="max" select="3"/><xsl:with-param name="chars" select="$upper"/></xsl:call-template>
            <xsl:call-template name="decimal"><xsl:with-param name="name" select="'Rate'"/><xsl:with-param name="v" select="w:RateNumeric"/><xsl:with-param name="total" select="12"/><xsl:with-param name="fraction" select="5"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$d/w:ObligationGuarantee">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'Guarantee'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'Amount'"/><xsl:with-param name="v" select="w:AmountAmount"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="70"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'ReferenceId'"/><xsl:with-param name="v" select="w:ReferenceID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'SecurityDetailsCode'"/><xsl:with-param name="v" select="w:SecurityDetailsCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'AccessCode'"/><xsl:with-param name="v" select="w:AccessCode"/><xsl:with-param name="max" select="4"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'OfficeId'"/><xsl:with-param name="v" select="w:GuaranteeOffice/w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:Warehouse">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'Warehouse'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$gs/w:UCR">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'Ucr'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'TraderReference'"/><xsl:with-param name="v" select="w:TraderAssignedReferenceID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>

      <!-- references, statements, goods -->
      <xsl:apply-templates select="$gs/w:PreviousDocument"/>
      <xsl:for-each select="$d/w:AdditionalDocument">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'AdditionalDocument'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="w:CategoryCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="70"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="$d/w:AdditionalInformation"/>
      <xsl:apply-templates select="$gs/w:GovernmentAgencyGoodsItem"/>
    </CustomsDeclaration>
  </xsl:template>

  <!-- ============================== goods item ======================== -->

  <xsl:template match="w:GovernmentAgencyGoodsItem">
    <xsl:variable name="c" select="w:Commodity"/>
    <xsl:variable name="m" select="$c/w:GoodsMeasure"/>
    <GoodsItem>
      <SequenceNumber><xsl:value-of select="number(translate(normalize-space(w:SequenceNumeric), '+', ''))"/></SequenceNumber>
      <Description><xsl:value-of select="normalize-space($c/w:Description)"/></Description>
      <xsl:for-each select="$c/w:Classification[normalize-space(w:ID) != '']">
        <Classification>
          <Code><xsl:value-of select="normalize-space(w:ID)"/></Code>
          <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:IdentificationTypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
        </Classification>
      </xsl:for-each>
      <xsl:for-each select="$c/w:DangerousGoods">
        <xsl:call-template name="code"><xsl:with-param name="name" select="'DangerousGoodsId'"/><xsl:with-param name="v" select="w:UNDGID"/><xsl:with-param name="min" select="4"/><xsl:with-param name="max" select="4"/><xsl:with-param name="chars" select="$digits"/></xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$c/w:DutyTaxFee">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'DutyTaxFee'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'TaxBaseAmount'"/><xsl:with-param name="v" select="w:AdValoremTaxBaseAmount"/></xsl:call-template>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'DeductAmount'"/><xsl:with-param name="v" select="w:DeductAmount"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'DutyRegimeCode'"/><xsl:with-param name="v" select="w:DutyRegimeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="quantity"><xsl:with-param name="name" select="'TaxBaseQuantity'"/><xsl:with-param name="v" select="w:SpecificTaxBaseQuantity"/></xsl:call-template>
            <xsl:call-template name="decimal"><xsl:with-param name="name" select="'TaxRate'"/><xsl:with-param name="v" select="w:TaxRateNumeric"/><xsl:with-param name="total" select="16"/><xsl:with-param name="fraction" select="6"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'QuotaOrderId'"/><xsl:with-param name="v" select="w:QuotaOrderID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'PaymentMethodCode'"/><xsl:with-param name="v" select="w:Payment/w:MethodCode"/><xsl:with-param name="max" select="1"/><xsl:with-param name="chars" select="$upper"/></xsl:call-template>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'TaxAssessedAmount'"/><xsl:with-param name="v" select="w:Payment/w:TaxAssessedAmount"/></xsl:call-template>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'PaymentAmount'"/><xsl:with-param name="v" select="w:Payment/w:PaymentAmount"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="w:Origin">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'Origin'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="w:CountryCode"/><xsl:with-param name="min" select="2"/><xsl:with-param name="max" select="4"/><xsl:with-param name="chars" select="$upper"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="country"><xsl:with-param name="name" select="'DestinationCountryCode'"/><xsl:with-param name="v" select="w:Destination/w:CountryCode"/></xsl:call-template>
      <xsl:call-template name="country"><xsl:with-param name="name" select="'ExportCountryCode'"/><xsl:with-param name="v" select="w:ExportCountry/w:ID"/></xsl:call-template>
      <xsl:call-template name="code"><xsl:with-param name="name" select="'TransactionNatureCode'"/><xsl:with-param name="v" select="w:TransactionNatureCode"/><xsl:with-param name="max" select="2"/><xsl:with-param name="chars" select="$digits"/></xsl:call-template>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'StatisticalValue'"/><xsl:with-param name="v" select="w:StatisticalValueAmount"/></xsl:call-template>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'CustomsValue'"/><xsl:with-param name="v" select="w:CustomsValueAmount"/></xsl:call-template>
      <xsl:call-template name="amount"><xsl:with-param name="name" select="'ItemPrice'"/><xsl:with-param name="v" select="$c/w:InvoiceLine/w:ItemChargeAmount"/></xsl:call-template>
      <xsl:call-template name="mass"><xsl:with-param name="name" select="'GrossMass'"/><xsl:with-param name="v" select="$m/w:GrossMassMeasure"/></xsl:call-template>
      <xsl:call-template name="mass"><xsl:with-param name="name" select="'NetMass'"/><xsl:with-param name="v" select="$m/w:NetNetWeightMeasure"/></xsl:call-template>
      <xsl:call-template name="quantity"><xsl:with-param name="name" select="'SupplementaryQuantity'"/><xsl:with-param name="v" select="$m/w:TariffQuantity"/></xsl:call-template>
      <xsl:for-each select="w:CustomsValuation">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'CustomsValuation'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'MethodCode'"/><xsl:with-param name="v" select="w:MethodCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:apply-templates select="w:ChargeDeduction"/>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:call-template name="code"><xsl:with-param name="name" select="'ValuationAdjustmentCode'"/><xsl:with-param name="v" select="w:ValuationAdjustment/w:AdditionCode"/><xsl:with-param name="max" select="4"/></xsl:call-template>
      <xsl:for-each select="w:GovernmentProcedure">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'Procedure'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'Code'"/><xsl:with-param name="v" select="w:CurrentCode"/><xsl:with-param name="max" select="7"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'PreviousCode'"/><xsl:with-param name="v" select="w:PreviousCode"/><xsl:with-param name="max" select="7"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="w:Packaging">
        <xsl:call-template name="sequenced">
          <xsl:with-param name="name" select="'Packaging'"/>
          <xsl:with-param name="siblings" select="preceding-sibling::w:Packaging"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="2"/></xsl:call-template>
            <xsl:call-template name="integer"><xsl:with-param name="name" select="'Quantity'"/><xsl:with-param name="v" select="w:QuantityQuantity"/><xsl:with-param name="min" select="0"/><xsl:with-param name="max" select="99999999"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Marks'"/><xsl:with-param name="v" select="w:MarksNumbersID"/><xsl:with-param name="max" select="512"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="$c/w:TransportEquipment">
        <xsl:call-template name="sequenced">
          <xsl:with-param name="name" select="'Container'"/>
          <xsl:with-param name="siblings" select="preceding-sibling::w:TransportEquipment"/>
          <xsl:with-param name="content">
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:for-each select="w:AdditionalDocument">
        <xsl:call-template name="group">
          <xsl:with-param name="name" select="'AdditionalDocument'"/>
          <xsl:with-param name="content">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="w:CategoryCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="70"/></xsl:call-template>
            <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="w:Name"/><xsl:with-param name="max" select="35"/></xsl:call-template>
            <xsl:call-template name="code"><xsl:with-param name="name" select="'ExemptionCode'"/><xsl:with-param name="v" select="w:LPCOExemptionCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
            <xsl:call-template name="quantity"><xsl:with-param name="name" select="'WriteOffQuantity'"/><xsl:with-param name="v" select="w:WriteOff/w:QuantityQuantity"/></xsl:call-template>
            <xsl:call-template name="amount"><xsl:with-param name="name" select="'WriteOffAmount'"/><xsl:with-param name="v" select="w:WriteOff/w:AmountAmount"/></xsl:call-template>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:for-each>
      <xsl:apply-templates select="w:AdditionalInformation"/>
      <xsl:apply-templates select="w:PreviousDocument"/>
    </GoodsItem>
  </xsl:template>

  <!-- ============================== shared groups ===================== -->

  <xsl:template match="w:AdditionalInformation">
    <xsl:call-template name="group">
      <xsl:with-param name="name" select="'AdditionalInformation'"/>
      <xsl:with-param name="content">
        <xsl:call-template name="code"><xsl:with-param name="name" select="'StatementCode'"/><xsl:with-param name="v" select="w:StatementCode"/><xsl:with-param name="max" select="17"/></xsl:call-template>
        <xsl:call-template name="text"><xsl:with-param name="name" select="'StatementDescription'"/><xsl:with-param name="v" select="w:StatementDescription"/><xsl:with-param name="max" select="512"/></xsl:call-template>
        <xsl:call-template name="code"><xsl:with-param name="name" select="'StatementTypeCode'"/><xsl:with-param name="v" select="w:StatementTypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="w:PreviousDocument">
    <xsl:call-template name="group">
      <xsl:with-param name="name" select="'PreviousDocument'"/>
      <xsl:with-param name="content">
        <xsl:call-template name="code"><xsl:with-param name="name" select="'CategoryCode'"/><xsl:with-param name="v" select="w:CategoryCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
        <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
        <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="70"/></xsl:call-template>
        <xsl:call-template name="integer"><xsl:with-param name="name" select="'LineNumber'"/><xsl:with-param name="v" select="w:LineNumeric"/><xsl:with-param name="min" select="1"/><xsl:with-param name="max" select="99999"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="w:ChargeDeduction">
    <xsl:call-template name="group">
      <xsl:with-param name="name" select="'ChargeDeduction'"/>
      <xsl:with-param name="content">
        <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:ChargesTypeCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
        <xsl:call-template name="amount"><xsl:with-param name="name" select="'Amount'"/><xsl:with-param name="v" select="w:OtherChargeDeductionAmount"/></xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- A party (context-free: $p is the WCO party element, or nothing). -->
  <xsl:template name="party">
    <xsl:param name="name"/>
    <xsl:param name="p"/>
    <xsl:for-each select="$p">
      <xsl:call-template name="group">
        <xsl:with-param name="name" select="$name"/>
        <xsl:with-param name="content">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="17"/></xsl:call-template>
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="w:Name"/><xsl:with-param name="max" select="70"/></xsl:call-template>
          <xsl:call-template name="address"><xsl:with-param name="a" select="w:Address"/></xsl:call-template>
          <xsl:if test="$name = 'Agent'">
            <xsl:call-template name="code"><xsl:with-param name="name" select="'StatusCode'"/><xsl:with-param name="v" select="w:FunctionCode"/><xsl:with-param name="max" select="3"/></xsl:call-template>
          </xsl:if>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="address">
    <xsl:param name="a"/>
    <xsl:for-each select="$a">
      <xsl:call-template name="group">
        <xsl:with-param name="name" select="'Address'"/>
        <xsl:with-param name="content">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Line'"/><xsl:with-param name="v" select="w:Line"/><xsl:with-param name="max" select="70"/></xsl:call-template>
          <xsl:call-template name="text"><xsl:with-param name="name" select="'CityName'"/><xsl:with-param name="v" select="w:CityName"/><xsl:with-param name="max" select="35"/></xsl:call-template>
          <xsl:call-template name="text"><xsl:with-param name="name" select="'PostcodeId'"/><xsl:with-param name="v" select="w:PostcodeID"/><xsl:with-param name="max" select="9"/></xsl:call-template>
          <xsl:call-template name="code"><xsl:with-param name="name" select="'CountrySubDivisionCode'"/><xsl:with-param name="v" select="w:CountrySubDivisionCode"/><xsl:with-param name="max" select="9"/><xsl:with-param name="chars" select="concat($alnum, '-')"/></xsl:call-template>
          <xsl:call-template name="country"><xsl:with-param name="name" select="'CountryCode'"/><xsl:with-param name="v" select="w:CountryCode"/></xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="transport">
    <xsl:param name="name"/>
    <xsl:param name="t"/>
    <xsl:for-each select="$t">
      <xsl:call-template name="group">
        <xsl:with-param name="name" select="$name"/>
        <xsl:with-param name="content">
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Name'"/><xsl:with-param name="v" select="w:Name"/><xsl:with-param name="max" select="35"/></xsl:call-template>
          <xsl:call-template name="text"><xsl:with-param name="name" select="'Id'"/><xsl:with-param name="v" select="w:ID"/><xsl:with-param name="max" select="35"/></xsl:call-template>
          <xsl:call-template name="code"><xsl:with-param name="name" select="'IdentificationTypeCode'"/><xsl:with-param name="v" select="w:IdentificationTypeCode"/><xsl:with-param name="max" select="17"/></xsl:call-template>
          <xsl:call-template name="code"><xsl:with-param name="name" select="'TypeCode'"/><xsl:with-param name="v" select="w:TypeCode"/><xsl:with-param name="max" select="4"/></xsl:call-template>
          <xsl:call-template name="country"><xsl:with-param name="name" select="'NationalityCode'"/><xsl:with-param name="v" select="w:RegistrationNationalityCode"/></xsl:call-template>
          <xsl:call-template name="code"><xsl:with-param name="name" select="'ModeCode'"/><xsl:with-param name="v" select="w:ModeCode"/><xsl:with-param name="max" select="1"/><xsl:with-param name="chars" select="$digits"/></xsl:call-template>
        </xsl:with-param>
      </xsl:call-template>
    </xsl:for-each>
  </xsl:template>

  <!-- ============================== value checks ====================== -->

  <!-- Emit element $name around $content only when $content holds something. -->
  <xsl:template name="group">
    <xsl:param name="name"/>
    <xsl:param name="content"/>
    <xsl:if test="string($content) != ''">
      <xsl:element name="{$name}"><xsl:copy-of select="$content"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- A line with a SequenceNumeric (the context): left out when the number
       is not a whole number 1-99999 or (when $unique) repeats an earlier one. -->
  <xsl:template name="sequenced">
    <xsl:param name="name"/>
    <xsl:param name="siblings"/>
    <xsl:param name="unique" select="true()"/>
    <xsl:param name="content"/>
    <xsl:variable name="n">
      <xsl:call-template name="integer-value"><xsl:with-param name="v" select="w:SequenceNumeric"/><xsl:with-param name="min" select="1"/><xsl:with-param name="max" select="99999"/></xsl:call-template>
    </xsl:variable>
    <xsl:if test="$n != '' and not($unique and $siblings[number(translate(normalize-space(w:SequenceNumeric), '+', '')) = number($n)])">
      <xsl:element name="{$name}">
        <SequenceNumber><xsl:value-of select="$n"/></SequenceNumber>
        <xsl:copy-of select="$content"/>
      </xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- Trimmed text of 1 to $max characters. -->
  <xsl:template name="text">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:param name="max"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:if test="$s != '' and string-length($s) &lt;= $max">
        <xsl:element name="{$name}"><xsl:value-of select="$s"/></xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- A code: upper-cased, $min to $max characters, all from $chars. -->
  <xsl:template name="code">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:param name="min" select="1"/>
    <xsl:param name="max"/>
    <xsl:param name="chars" select="$alnum"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="translate(normalize-space(.), $lower, $upper)"/>
      <xsl:if test="string-length($s) &gt;= $min and string-length($s) &lt;= $max and translate($s, $chars, '') = ''">
        <xsl:element name="{$name}"><xsl:value-of select="$s"/></xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="country">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:call-template name="code">
      <xsl:with-param name="name" select="$name"/><xsl:with-param name="v" select="$v"/>
      <xsl:with-param name="min" select="2"/><xsl:with-param name="max" select="2"/><xsl:with-param name="chars" select="$upper"/>
    </xsl:call-template>
  </xsl:template>

  <!-- 'y' when $s is a non-negative decimal with at most $total significant
       digits and $fraction fraction digits (sign '+' allowed). -->
  <xsl:template name="decimal-ok">
    <xsl:param name="s"/>
    <xsl:param name="total"/>
    <xsl:param name="fraction"/>
    <xsl:variable name="u">
      <xsl:choose>
        <xsl:when test="starts-with($s, '+')"><xsl:value-of select="substring($s, 2)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="int">
      <xsl:choose>
        <xsl:when test="contains($u, '.')"><xsl:value-of select="substring-before($u, '.')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$u"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="frac" select="substring-after($u, '.')"/>
    <xsl:variable name="sigint">
      <xsl:call-template name="strip-leading-zeros"><xsl:with-param name="s" select="$int"/></xsl:call-template>
    </xsl:variable>
    <xsl:variable name="sigfrac">
      <xsl:call-template name="strip-trailing-zeros"><xsl:with-param name="s" select="$frac"/></xsl:call-template>
    </xsl:variable>
    <xsl:if test="$u != '' and translate($u, concat($digits, '.'), '') = ''
                  and string-length($u) - string-length(translate($u, '.', '')) &lt;= 1
                  and translate($u, '.', '') != ''
                  and string-length($sigfrac) &lt;= $fraction
                  and string-length($sigint) + string-length($sigfrac) &lt;= $total">y</xsl:if>
  </xsl:template>

  <xsl:template name="strip-leading-zeros">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="starts-with($s, '0')"><xsl:call-template name="strip-leading-zeros"><xsl:with-param name="s" select="substring($s, 2)"/></xsl:call-template></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="strip-trailing-zeros">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="substring($s, string-length($s)) = '0'"><xsl:call-template name="strip-trailing-zeros"><xsl:with-param name="s" select="substring($s, 1, string-length($s) - 1)"/></xsl:call-template></xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="decimal">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:param name="total"/>
    <xsl:param name="fraction"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:variable name="ok"><xsl:call-template name="decimal-ok"><xsl:with-param name="s" select="$s"/><xsl:with-param name="total" select="$total"/><xsl:with-param name="fraction" select="$fraction"/></xsl:call-template></xsl:variable>
      <xsl:if test="$ok = 'y'">
        <xsl:element name="{$name}"><xsl:value-of select="$s"/></xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- A whole number from $min to $max, written canonically; '' otherwise. -->
  <xsl:template name="integer-value">
    <xsl:param name="v"/>
    <xsl:param name="min"/>
    <xsl:param name="max"/>
    <xsl:variable name="s" select="normalize-space($v)"/>
    <xsl:variable name="ok"><xsl:call-template name="decimal-ok"><xsl:with-param name="s" select="$s"/><xsl:with-param name="total" select="8"/><xsl:with-param name="fraction" select="0"/></xsl:call-template></xsl:variable>
    <xsl:variable name="n" select="number(translate($s, '+', ''))"/>
    <xsl:if test="$v and $ok = 'y' and $n &gt;= $min and $n &lt;= $max"><xsl:value-of select="$n"/></xsl:if>
  </xsl:template>

  <xsl:template name="integer">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:param name="min"/>
    <xsl:param name="max"/>
    <xsl:variable name="n"><xsl:call-template name="integer-value"><xsl:with-param name="v" select="$v[1]"/><xsl:with-param name="min" select="$min"/><xsl:with-param name="max" select="$max"/></xsl:call-template></xsl:variable>
    <xsl:if test="$n != ''">
      <xsl:element name="{$name}"><xsl:value-of select="$n"/></xsl:element>
    </xsl:if>
  </xsl:template>

  <!-- An amount (16 digits, 3 decimals); currency kept when ISO 4217-shaped. -->
  <xsl:template name="amount">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:variable name="ok"><xsl:call-template name="decimal-ok"><xsl:with-param name="s" select="$s"/><xsl:with-param name="total" select="16"/><xsl:with-param name="fraction" select="3"/></xsl:call-template></xsl:variable>
      <xsl:variable name="cur" select="translate(normalize-space(@currencyID), $lower, $upper)"/>
      <xsl:if test="$ok = 'y'">
        <xsl:element name="{$name}">
          <xsl:if test="string-length($cur) = 3 and translate($cur, $upper, '') = ''">
            <xsl:attribute name="currency"><xsl:value-of select="$cur"/></xsl:attribute>
          </xsl:if>
          <xsl:value-of select="$s"/>
        </xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- A quantity (16 digits, 6 decimals); unit kept when Rec. 20-shaped. -->
  <xsl:template name="quantity">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:variable name="ok"><xsl:call-template name="decimal-ok"><xsl:with-param name="s" select="$s"/><xsl:with-param name="total" select="16"/><xsl:with-param name="fraction" select="6"/></xsl:call-template></xsl:variable>
      <xsl:variable name="unit" select="translate(normalize-space(@unitCode), $lower, $upper)"/>
      <xsl:if test="$ok = 'y'">
        <xsl:element name="{$name}">
          <xsl:if test="string-length($unit) &gt;= 1 and string-length($unit) &lt;= 5 and translate($unit, concat($alnum, '#'), '') = ''">
            <xsl:attribute name="unitCode"><xsl:value-of select="$unit"/></xsl:attribute>
          </xsl:if>
          <xsl:value-of select="$s"/>
        </xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- A mass in kilograms: left out when its unit is something else. -->
  <xsl:template name="mass">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:variable name="ok"><xsl:call-template name="decimal-ok"><xsl:with-param name="s" select="$s"/><xsl:with-param name="total" select="16"/><xsl:with-param name="fraction" select="6"/></xsl:call-template></xsl:variable>
      <xsl:variable name="unit" select="translate(normalize-space(@unitCode), $lower, $upper)"/>
      <xsl:if test="$ok = 'y' and (not(@unitCode) or $unit = 'KGM')">
        <xsl:element name="{$name}">
          <xsl:if test="@unitCode"><xsl:attribute name="unitCode">KGM</xsl:attribute></xsl:if>
          <xsl:value-of select="$s"/>
        </xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- A WCO DateTimeString: format 102 (CCYYMMDD) becomes an xs:date, 304
       (CCYYMMDDHHMMSS and a zone Z or +HH/-HH) an xs:dateTime; anything
       else, or an impossible date or time, is left out. -->
  <xsl:template name="datetime">
    <xsl:param name="name"/>
    <xsl:param name="v"/>
    <xsl:for-each select="$v[1]">
      <xsl:variable name="s" select="normalize-space(.)"/>
      <xsl:variable name="f" select="normalize-space(@formatCode)"/>
      <xsl:variable name="y" select="substring($s, 1, 4)"/>
      <xsl:variable name="mo" select="substring($s, 5, 2)"/>
      <xsl:variable name="dd" select="substring($s, 7, 2)"/>
      <xsl:variable name="leap" select="($y mod 4 = 0 and $y mod 100 != 0) or $y mod 400 = 0"/>
      <xsl:variable name="dim">
        <xsl:choose>
          <xsl:when test="$mo = '02' and $leap">29</xsl:when>
          <xsl:when test="$mo = '02'">28</xsl:when>
          <xsl:when test="$mo = '04' or $mo = '06' or $mo = '09' or $mo = '11'">30</xsl:when>
          <xsl:otherwise>31</xsl:otherwise>
        </xsl:choose>
      </xsl:variable>
      <xsl:variable name="date-ok" select="string-length($s) &gt;= 8 and translate(substring($s, 1, 8), $digits, '') = ''
                    and starts-with($s, '20') and $mo &gt;= 1 and $mo &lt;= 12 and $dd &gt;= 1 and $dd &lt;= number($dim)"/>
      <xsl:variable name="date" select="concat($y, '-', $mo, '-', $dd)"/>
      <xsl:variable name="zone" select="substring($s, 15)"/>
      <xsl:choose>
        <xsl:when test="$f = '102' and string-length($s) = 8 and $date-ok">
          <xsl:element name="{$name}"><xsl:value-of select="$date"/></xsl:element>
        </xsl:when>
        <xsl:when test="$f = '304' and $date-ok and translate(substring($s, 9, 6), $digits, '') = ''
                        and string-length(substring($s, 9, 6)) = 6
                        and substring($s, 9, 2) &lt;= 23 and substring($s, 11, 2) &lt;= 59 and substring($s, 13, 2) &lt;= 59
                        and ($zone = 'Z' or ((starts-with($zone, '+') or starts-with($zone, '-')) and string-length($zone) = 3
                             and translate(substring($zone, 2), $digits, '') = '' and substring($zone, 2) &lt;= 14))">
          <xsl:element name="{$name}">
            <xsl:value-of select="concat($date, 'T', substring($s, 9, 2), ':', substring($s, 11, 2), ':', substring($s, 13, 2))"/>
            <xsl:choose>
              <xsl:when test="$zone = 'Z'">Z</xsl:when>
              <xsl:otherwise><xsl:value-of select="concat($zone, ':00')"/></xsl:otherwise>
            </xsl:choose>
          </xsl:element>
        </xsl:when>
      </xsl:choose>
    </xsl:for-each>
  </xsl:template>

</xsl:stylesheet>
